// husk-net MODE ...: forward (one per container) or hold (the shared
// rootless network namespace). README.md is the contract.
#include "net/net.h"

#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  using namespace husk;
  if (argc >= 2 && !strcmp(argv[1], "forward")) return RunForward(argc, argv);
  if (argc >= 2 && !strcmp(argv[1], "hold")) return RunHold(argc, argv);
  WriteStr(2, "usage: husk-net forward ... | husk-net hold ... (see addon/net/README.md)\n");
  return 2;
}
