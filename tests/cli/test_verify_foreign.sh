#!/bin/bash
echo "test_verify_foreign.sh: being written" >&2
exit 1
