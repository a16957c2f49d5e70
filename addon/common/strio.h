#pragma once
// Writing and numbers without stdio, for the static helpers (husk-monitor,
// husk-net): async-signal-safe, no allocation.
#include <stddef.h>

namespace husk {

// Writes all of p (retrying EINTR); gives up silently when the reader is gone.
void WriteAll(int fd, const char* p, size_t n);
void WriteStr(int fd, const char* s);
// Decimal digits of v into buf (at least 21 bytes), NUL-terminated; returns their count.
size_t FormatInt(char* buf, long long v);
// A decimal int (a leading '-' allowed), the whole string; false otherwise.
bool ParseInt(const char* s, int* out);

}  // namespace husk
