#!/bin/bash
echo "test_lazy.sh: being written" >&2
exit 1
