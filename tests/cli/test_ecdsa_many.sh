#!/bin/bash
echo "test_ecdsa_many.sh: being written" >&2
exit 1
