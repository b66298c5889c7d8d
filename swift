scripts/test.sh: line 14: 11: Bad file descriptor
