#include "userns/layer_stream.h"
#include "userns/common.h"

#include <cerrno>
#include <nettle/sha2.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

namespace {

const size_t kChunk = 1 << 20;
const Label kLayer{"(layer)"};  // what a failure of the stream names

// nettle (which libarchive loads anyway) rather than OpenSSL: the same
// SHA-NI speed, without OpenSSL's few megabytes of start-up in every helper.
class Sha256 {
 public:
  Sha256() { sha256_init(&ctx_); }
  void update(const void* p, size_t n) { sha256_update(&ctx_, n, static_cast<const uint8_t*>(p)); }
  std::string hex() {
    uint8_t md[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx_, sizeof md, md);
    static const char digits[] = "0123456789abcdef";
    std::string s = "sha256:";
    for (uint8_t b : md) {
      s += digits[b >> 4];
      s += digits[b & 15];
    }
    return s;
  }

 private:
  struct sha256_ctx ctx_;
};

void write_all(int fd, const unsigned char* p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail_errno(Label{"(blob)"}, "write", errno);
    }
    p += w;
    n -= (size_t)w;
  }
}

}  // namespace

struct LayerStream::Impl {
  Sha256 raw, plain;
  z_stream z{};
  bool z_ready = false;
  ZSTD_DStream* zs = nullptr;
  ~Impl() {
    if (z_ready) inflateEnd(&z);
    if (zs) ZSTD_freeDStream(zs);
  }
};

LayerStream::LayerStream(int in_fd, int blob_fd)
    : impl_(new Impl), in_fd_(in_fd), blob_fd_(blob_fd), in_(kChunk), out_(kChunk) {}

LayerStream::~LayerStream() = default;

bool LayerStream::fill() {
  if (eof_) return false;
  for (;;) {
    ssize_t n = read(in_fd_, in_.data(), in_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      read_failed_ = eof_ = true;
      fail_errno(kLayer, "read", errno);
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    raw_size_ += (uint64_t)n;
    impl_->raw.update(in_.data(), (size_t)n);
    if (blob_fd_ >= 0) write_all(blob_fd_, in_.data(), (size_t)n);
    in_pos_ = 0;
    in_len_ = (size_t)n;
    return true;
  }
}

// Decides the compression from the first four bytes (fewer at a short EOF).
void LayerStream::sniff() {
  std::vector<unsigned char> head;
  while (head.size() < 4 && fill()) {
    head.insert(head.end(), in_.begin(), in_.begin() + (long)in_len_);
  }
  if (head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
    kind_ = Kind::gzip;
    if (inflateInit2(&impl_->z, 15 + 16) != Z_OK) fail_step(kLayer, "gunzip", "zlib: init failed");
    impl_->z_ready = true;
  } else if (head.size() >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) {
    kind_ = Kind::zstd;
    impl_->zs = ZSTD_createDStream();
    if (!impl_->zs) fail_errno(kLayer, "unzstd", ENOMEM, "zstd: out of memory");
  } else {
    kind_ = Kind::none;
  }
  // What fill() read (possibly several short reads) is now one pending buffer.
  if (head.size() > in_len_) {
    if (head.size() > in_.size()) in_.resize(head.size());
    std::copy(head.begin(), head.end(), in_.begin());
  }
  in_pos_ = 0;
  in_len_ = head.size();
}

size_t LayerStream::next(const void** out) {
  if (kind_ == Kind::unknown) sniff();
  if (ended_) return 0;
  size_t n = 0;
  switch (kind_) {
    case Kind::none:
      if (in_pos_ >= in_len_ && !fill()) break;
      *out = in_.data() + in_pos_;
      n = in_len_ - in_pos_;
      in_pos_ = in_len_;
      break;
    case Kind::gzip: n = inflate_gzip(out); break;
    case Kind::zstd: n = inflate_zstd(out); break;
    case Kind::unknown: break;
  }
  plain_size_ += n;
  if (n == 0) ended_ = true;
  else if (kind_ != Kind::none) impl_->plain.update(*out, n);
  return n;
}

size_t LayerStream::inflate_gzip(const void** out) {
  z_stream& z = impl_->z;
  for (;;) {
    // A full output buffer last time: inflate may hold more without new input.
    if (in_pos_ >= in_len_ && !pending_ && !fill()) {
      if (z.total_in > 0) fail_step(kLayer, "gunzip", "invalid gzip data: unexpected end of stream");
      return 0;  // after a complete member: the end
    }
    z.next_in = in_.data() + in_pos_;
    z.avail_in = (uInt)(in_len_ - in_pos_);
    z.next_out = out_.data();
    z.avail_out = (uInt)out_.size();
    int r = inflate(&z, Z_NO_FLUSH);
    in_pos_ = in_len_ - z.avail_in;
    size_t produced = out_.size() - z.avail_out;
    pending_ = z.avail_out == 0;
    if (r == Z_STREAM_END) {
      // Another gzip member may follow (concatenated gzip, as gzip -c a b).
      inflateReset(&z);
      z.total_in = 0;
    } else if (r != Z_OK && r != Z_BUF_ERROR) {
      fail_step(kLayer, "gunzip", std::string("invalid gzip data: ") + (z.msg ? z.msg : "inflate failed"));
    }
    if (produced > 0) {
      *out = out_.data();
      return produced;
    }
  }
}

size_t LayerStream::inflate_zstd(const void** out) {
  for (;;) {
    if (in_pos_ >= in_len_ && !pending_ && !fill()) {
      // ZSTD_decompressStream returns 0 only when a frame is complete.
      if (zstd_hint_ != 0) fail_step(kLayer, "unzstd", "invalid zstd data: unexpected end of stream");
      return 0;
    }
    ZSTD_inBuffer ib{in_.data(), in_len_, in_pos_};
    ZSTD_outBuffer ob{out_.data(), out_.size(), 0};
    zstd_hint_ = ZSTD_decompressStream(impl_->zs, &ob, &ib);
    if (ZSTD_isError(zstd_hint_))
      fail_step(kLayer, "unzstd", std::string("invalid zstd data: ") + ZSTD_getErrorName(zstd_hint_));
    in_pos_ = ib.pos;
    pending_ = ob.pos == ob.size;
    if (ob.pos > 0) {
      *out = out_.data();
      return ob.pos;
    }
  }
}

void LayerStream::drain(bool decompress) {
  try {
    if (kind_ == Kind::unknown) sniff();
    if (decompress) {
      const void* p;
      while (next(&p) > 0) {
      }
      return;
    }
  } catch (const EntryError&) {
    // Bad compressed data after the tar's end: the raw digest still counts.
  }
  in_pos_ = in_len_;
  try {
    while (fill()) {
    }
  } catch (const EntryError&) {
  }
}

std::string LayerStream::digest() {
  if (digest_.empty()) digest_ = impl_->raw.hex();
  return digest_;
}

std::string LayerStream::diff_id() {
  if (kind_ == Kind::none) return digest();
  if (diff_id_.empty()) diff_id_ = impl_->plain.hex();
  return diff_id_;
}

const char* LayerStream::compression() const {
  switch (kind_) {
    case Kind::gzip: return "gzip";
    case Kind::zstd: return "zstd";
    default: return "none";
  }
}
