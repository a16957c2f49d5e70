// A layer's bytes as they come in on a pipe: gzip, zstd or a plain tar,
// sniffed by their first bytes. Both digests are computed on the way: the
// sha256 of the raw stream (the blob digest the manifest names) and of the
// decompressed tar (the diff id the image config names). The raw bytes can be
// copied unchanged into a blob file, so a registry's blob is kept as it was.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <sys/types.h>
#include <vector>

class LayerStream {
 public:
  // blob_fd < 0: the raw bytes are not kept.
  LayerStream(int in_fd, int blob_fd);
  ~LayerStream();
  LayerStream(const LayerStream&) = delete;
  LayerStream& operator=(const LayerStream&) = delete;

  // The next decompressed bytes; 0 at the end. Throws EntryError on bad
  // compressed data or a failed read/write.
  size_t next(const void** out);
  // Reads the rest: after the tar's end blocks (padding still counts in the
  // diff id), or after a failed extraction (only the raw digest is wanted:
  // decompress = false). Never throws.
  void drain(bool decompress);

  std::string digest();   // "sha256:<hex>" of the raw bytes
  std::string diff_id();  // "sha256:<hex>" of the decompressed bytes
  uint64_t size() const { return raw_size_; }
  uint64_t tar_size() const { return plain_size_; }  // decompressed bytes
  const char* compression() const;
  // A read error ended the stream (the raw digest covers what came).
  bool read_failed() const { return read_failed_; }

 private:
  enum class Kind { unknown, none, gzip, zstd };
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int in_fd_, blob_fd_;
  Kind kind_ = Kind::unknown;
  bool eof_ = false, read_failed_ = false, ended_ = false;
  bool pending_ = false;  // the decompressor filled its output: it may hold more
  size_t zstd_hint_ = 0;  // ZSTD_decompressStream's last return: 0 = frame complete
  std::string digest_, diff_id_;
  uint64_t raw_size_ = 0, plain_size_ = 0;
  std::vector<unsigned char> in_, out_;
  size_t in_pos_ = 0, in_len_ = 0;

  bool fill();  // reads more raw bytes into in_; false at EOF
  void sniff();
  size_t inflate_gzip(const void** out);
  size_t inflate_zstd(const void** out);
};
