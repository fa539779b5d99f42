"""Deduplication, pure: exact-copy content hashes (:mod:`.hashing`) and MinHash signatures (:mod:`.minhash`)."""
