// Small helpers without state: writing everything, numbers and timestamps
// without stdio, the monotonic clock, fd flags.
#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

namespace husk {
namespace {

void FormatPadded(char* buf, unsigned v, int width) {
  for (int i = width - 1; i >= 0; i--) {
    buf[i] = (char)('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

void FormatTime(char* out, const struct timespec& ts) {
  long long secs = ts.tv_sec;
  long long days = secs / 86400;
  long long rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  // civil_from_days (H. Hinnant)
  long long z = days + 719468;
  long long era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long y = (long long)yoe + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  FormatPadded(out, (unsigned)y, 4);
  out[4] = '-';
  FormatPadded(out + 5, m, 2);
  out[7] = '-';
  FormatPadded(out + 8, d, 2);
  out[10] = 'T';
  FormatPadded(out + 11, (unsigned)(rem / 3600), 2);
  out[13] = ':';
  FormatPadded(out + 14, (unsigned)(rem / 60 % 60), 2);
  out[16] = ':';
  FormatPadded(out + 17, (unsigned)(rem % 60), 2);
  out[19] = '.';
  FormatPadded(out + 20, (unsigned)ts.tv_nsec, 9);
  out[29] = 'Z';
}

void FormatNow(char* out) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  FormatTime(out, ts);
}

long long MonotonicMs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void SetNonblockCloexec(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  fcntl(fd, F_SETFD, FD_CLOEXEC);
}

}  // namespace husk
