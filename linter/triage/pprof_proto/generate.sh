#!/bin/sh
# Regenerate profile_pb2.py from profile.proto (pprof's, github.com/google/pprof
# proto/profile.proto, Apache-2.0: see its header and NOTICE in this directory).
# The checked-in module was made with Debian's protoc 3.21.12 (apt-get install
# protobuf-compiler): its code needs no runtime version check and loads with every protobuf
# runtime from 4.21 to 7.x. `python -m grpc_tools.protoc` (pip install grpcio-tools) works too,
# but its output requires a protobuf runtime at least as new as itself.
set -eu
cd "$(dirname "$0")"
protoc -I. --python_out=. profile.proto
