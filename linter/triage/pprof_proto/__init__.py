"""pprof's profile.proto and the module protoc generates from it (profile_pb2, checked in;
regenerate with generate.sh)."""
