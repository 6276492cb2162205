"""casetrail-verify: checks a CaseTrail copy package or archive package offline (issue 13 §6).

The hashing (:mod:`.digests`, :mod:`.sm3`), RFC 9162 Merkle proofs (:mod:`.merkle`), RFC 8785
canonical JSON (:mod:`.canonical_json`), C2SP signed notes, checkpoints and tlog proofs
(:mod:`.signed_note`), witness cosignatures (:mod:`.cosignature`) and SM2 (:mod:`.sm2`, optional
``gmssl``) are the very modules the server uses. :mod:`.package` checks a bag; :mod:`.cli` is the
``casetrail-verify`` command.
"""

__version__ = "0.1.0"
