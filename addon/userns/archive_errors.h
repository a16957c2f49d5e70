// libarchive's failures as EntryErrors (errors.h).
#pragma once
#include <archive.h>
#include <cerrno>
#include <string>

#include "userns/errors.h"

// The errno of libarchive's last error when a system call failed (a write to
// a closed pipe: EPIPE), else 0. Its own errors are ARCHIVE_ERRNO_MISC (-1),
// ARCHIVE_ERRNO_FILE_FORMAT (EILSEQ on Linux) and ARCHIVE_ERRNO_PROGRAMMER
// (EINVAL), values no system call gave (archive_platform.h, not installed).
inline int archive_syserr(struct archive* a) {
  int e = archive_errno(a);
  return e > 0 && e != EILSEQ && e != EINVAL ? e : 0;
}

// libarchive's last error in `step`, worded "STEP: its message" (or
// "WORDS: its message").
[[noreturn]] inline void fail_archive(const Where& where, const std::string& step, struct archive* a,
                                      const char* words = nullptr) {
  const char* msg = archive_error_string(a);
  fail_errno(where, step, archive_syserr(a), (words ? words : step) + ": " + (msg ? msg : "error"));
}
