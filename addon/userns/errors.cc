#include "userns/errors.h"

#include <cstdio>
#include <cstring>

namespace {

// Length of the valid UTF-8 sequence starting at s (n bytes left), or 0:
// no overlong forms, no surrogates, nothing above U+10FFFF (RFC 3629).
size_t utf8_length(const unsigned char* s, size_t n) {
  unsigned char c = s[0];
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;  // the bounds of the second byte
  if (c >= 0xc2 && c <= 0xdf) len = 2;
  else if (c == 0xe0) len = 3, lo = 0xa0;
  else if (c == 0xed) len = 3, hi = 0x9f;
  else if (c >= 0xe1 && c <= 0xef) len = 3;
  else if (c == 0xf0) len = 4, lo = 0x90;
  else if (c == 0xf4) len = 4, hi = 0x8f;
  else if (c >= 0xf1 && c <= 0xf3) len = 4;
  else return 0;
  if (n < len || s[1] < lo || s[1] > hi) return 0;
  for (size_t i = 2; i < len; i++)
    if (s[i] < 0x80 || s[i] > 0xbf) return 0;
  return len;
}

EntryError make(const Where& where, const std::string& step, int err, const std::string& reason) {
  return EntryError{where.path, step, err, reason, where.label};
}

// `husk-userns: KIND {...}` as one write, so that lines of two helpers
// sharing a stderr do not interleave.
void write_line(const char* kind, const EntryError& e, const char* step) {
  std::string line = std::string("husk-userns: ") + kind + " {\"step\":" + json_string(step) +
                     ",\"errno\":" + std::to_string(e.err);
  if (!e.path.empty()) line += ",\"path\":" + json_string(e.path);
  line += ",\"message\":" + json_string(e.message()) + "}\n";
  fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

std::string errstr(const std::string& step, int err) {
  return step + ": " + strerror(err);
}

void fail(const Where& where, const std::string& reason) {
  throw make(where, "", 0, reason);
}

void fail_step(const Where& where, const std::string& step, const std::string& reason) {
  throw make(where, step, 0, reason);
}

void fail_errno(const Where& where, const std::string& step, int err) {
  throw make(where, step, err, errstr(step, err));
}

void fail_errno(const Where& where, const std::string& step, int err, const std::string& reason) {
  throw make(where, step, err, reason);
}

void warn(const Where& where, const std::string& step, int err, const std::string& reason) {
  EntryError w = make(where, step, err, reason);
  write_line("warning", w, w.step.c_str());
}

void report_error(const EntryError& e, const char* cmd) {
  write_line("error", e, e.step.empty() ? cmd : e.step.c_str());
}

std::string json_string(const std::string& s) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  std::string o = "\"";
  char esc[8];
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c == '"' || c == '\\') {
      o += '\\';
      o += (char)c;
      i++;
    } else if (c < 0x20 || c == 0x7f) {
      snprintf(esc, sizeof esc, "\\u%04x", c);
      o += esc;
      i++;
    } else if (size_t len = utf8_length(p + i, n - i)) {
      o.append(s, i, len);
      i += len;
    } else {
      snprintf(esc, sizeof esc, "\\udc%02x", c);  // c >= 0x80 here
      o += esc;
      i++;
    }
  }
  return o + "\"";
}
