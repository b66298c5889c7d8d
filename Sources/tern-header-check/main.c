#include "../../include/tern.h"
#include <stdio.h>
int main(void) { printf("%s\n", tern_version()); return 0; }
