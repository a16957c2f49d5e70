// How husk-userns reports what went wrong. A failure is an EntryError,
// thrown by fail*() and written where a command ends (report_error); a
// warning is written at once (warn). Both become one line on stderr that
// lib/native/helper-errors.ts reads back into a NativeError:
//
//   husk-userns: error {"step":"readlink","errno":2,"path":"etc/x","message":"etc/x: readlink: No such file or directory"}
//   husk-userns: warning {"step":"mknod","errno":1,"path":"dev/null","message":"dev/null: cannot create ..."}
//
// "message" is what a person reads; "errno" is 0 when no system call failed
// (a name with "..", bad gzip data); "path" is left out when the failure is
// about no path ("(layer)", "(stdout)"). Usage errors stay plain text.
#pragma once
#include <string>

// A failure: the entry or path concerned, what was being done, the errno.
struct EntryError {
  std::string path;    // the archive entry or path; empty when none is concerned
  std::string step;    // "readlink", "set xattr user.x", ...; empty: the command itself
  int err = 0;         // errno of the failed system call; 0 when none failed
  std::string reason;  // for people, after the name: "readlink: No such file or directory"
  std::string label;   // what the message names instead of `path`: "(layer)", "after a/b"

  std::string message() const {
    const std::string& name = label.empty() ? path : label;
    return name.empty() ? reason : name + ": " + reason;
  }
};

// What a message names when the failure is about no path: "(layer)", "(stdout)".
struct Label {
  std::string text;
};

// The path (or archive entry) a failure is about, or a Label.
struct Where {
  std::string path, label;
  Where(std::string p) : path(std::move(p)) {}
  Where(const char* p) : path(p) {}
  Where(Label l) : label(std::move(l.text)) {}
};

// "step: strerror(err)".
std::string errstr(const std::string& step, int err);

// Not a system call's failure: "name contains a '..' component".
[[noreturn]] void fail(const Where& where, const std::string& reason);
// The same in a named step: "invalid gzip data: ..." while "gunzip".
[[noreturn]] void fail_step(const Where& where, const std::string& step, const std::string& reason);
// A system call's failure, worded "step: strerror(err)".
[[noreturn]] void fail_errno(const Where& where, const std::string& step, int err);
// The same in other words ("chown to 0:0: ... (id not mapped?)"); `err` may
// be 0 for a step that failed without an errno (libarchive's own errors).
[[noreturn]] void fail_errno(const Where& where, const std::string& step, int err, const std::string& reason);

// A warning line on stderr, now.
void warn(const Where& where, const std::string& step, int err, const std::string& reason);

// The error line on stderr; a failure with no step of its own gets the
// command's (`cmd`: "untar", "merge", ...).
void report_error(const EntryError& e, const char* cmd);

// A JSON string literal (quotes included) of arbitrary bytes: valid UTF-8 as
// is, control characters as \u00XX, and each byte that is not part of valid
// UTF-8 as the lone surrogate \uDCXX (Python's "surrogateescape"), which no
// valid UTF-8 can produce, so the bytes can be recovered exactly.
std::string json_string(const std::string& s);
