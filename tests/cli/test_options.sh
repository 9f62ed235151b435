#!/bin/bash
echo "test_options.sh: being written" >&2
exit 1
