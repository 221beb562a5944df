"""Independent check of the header, unlock, generation, PIN and whole-vault vectors, and of
the Argon2id derivations, written from SPEC.md §2, §4-§10 and the age v1 format
(https://c2sp.org/age) only. It shares no code with the crate: age's header, scrypt and
X25519 stanzas, header MAC and payload stream are decrypted here with the `cryptography`
package's primitives, the payload archive is read from the ustar layout by hand (not with
`tarfile`, which applies GNU and pax extensions §8.4 refuses), and Argon2id runs through
`argon2-cffi` (the reference C implementation), a second implementation next to the one
`check_codes.py` uses.

Needs Python 3.9+, `cryptography` (any version with ChaCha20-Poly1305, X25519 and scrypt)
and `argon2-cffi`.

Usage:
  python3 check_unlock.py path/to/vectors/testkit
      runs every `header_*`, `unlock_*`, `generation_*`, `pin_*` and `vault_*` vector and
      re-derives the identity
      and recipient of every `code_*_ok` vector; prints "N passed, N failed".
  python3 check_unlock.py --vault DIR --passphrase-file F [--pin-code-file F [--pin-file F]]
      opens a vault folder written by certvault: reads vault.json, decrypts unlock.age,
      checks that its identity is the derivation of its recovery code, opens the newest
      generation and, with a PIN code, opens every stored PIN (and, with `--pin-file F`,
      compares it with F); prints what it found as JSON. No secret is printed: a PIN is
      reported only as whether it opened and matched.
"""
import base64, hashlib, json, os, re, sys, unicodedata

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from check_codes import WHITE_SPACE, bech32, load, parse


class Fail(Exception):
    """An outcome class of SPEC.md §12 other than ok, with a detail."""

    def __init__(self, outcome, detail=""):
        super().__init__(f"{outcome}: {detail}")
        self.outcome = outcome


# ----------------------------------------------------------------------------------------
# age v1

def b64(text):
    """age's base64: standard alphabet, no padding, canonical."""
    try:
        s = text.decode("ascii")
    except UnicodeDecodeError:
        raise Fail("malformed", "base64 is not ASCII")
    if not re.fullmatch(r"[A-Za-z0-9+/]*", s) or len(s) % 4 == 1:
        raise Fail("malformed", "bad base64")
    raw = base64.b64decode(s + "=" * (-len(s) % 4))
    if base64.b64encode(raw).decode().rstrip("=") != s:
        raise Fail("malformed", "non-canonical base64")
    return raw


def parse_age(data):
    """The stanzas, the MAC'd header bytes, the MAC and the payload of an age file."""
    pos = 0

    def line():
        nonlocal pos
        i = data.find(b"\n", pos)
        if i < 0:
            raise Fail("malformed", "header not terminated")
        text, pos = data[pos:i], i + 1
        return text

    if line() != b"age-encryption.org/v1":
        raise Fail("malformed", "not an age file")
    stanzas = []
    while True:
        start = pos
        text = line()
        if text.startswith(b"--- "):
            mac = b64(text[4:])
            if len(mac) != 32:
                raise Fail("malformed", "header MAC length")
            return stanzas, data[:start] + b"---", mac, data[pos:]
        if not text.startswith(b"-> "):
            raise Fail("malformed", "stanza line")
        args = text[3:].split(b" ")
        if not args or any(not a for a in args):
            raise Fail("malformed", "stanza arguments")
        body = b""
        while True:
            chunk = line()
            if len(chunk) > 64:
                raise Fail("malformed", "stanza body line")
            body += chunk
            if len(chunk) < 64:
                break
        stanzas.append(([a.decode("ascii", "replace") for a in args], b64(body)))


def hkdf(ikm, salt, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def unwrap(key, body):
    if len(body) != 32:
        raise Fail("malformed", "wrapped file key length")
    return ChaCha20Poly1305(key).decrypt(b"\0" * 12, body, None)


def finish(file_key, header, mac, payload, limit):
    """Checks the header MAC and decrypts the payload stream (at most `limit` bytes)."""
    h = hmac.HMAC(hkdf(file_key, b"", b"header"), hashes.SHA256())
    h.update(header)
    try:
        h.verify(mac)
    except InvalidTag:
        raise Fail("corrupt", "header MAC")
    if len(payload) < 16:
        raise Fail("corrupt", "no payload nonce")
    aead = ChaCha20Poly1305(hkdf(file_key, payload[:16], b"payload"))
    rest, out, counter, size = payload[16:], [], 0, 65536 + 16
    while True:
        chunk, rest = rest[:size], rest[size:]
        last = not rest
        nonce = counter.to_bytes(11, "big") + (b"\1" if last else b"\0")
        try:
            plain = aead.decrypt(nonce, chunk, None)
        except InvalidTag:
            raise Fail("corrupt", f"payload chunk {counter}")
        if last and not plain and counter > 0:
            raise Fail("corrupt", "empty last chunk")
        out.append(plain)
        if sum(map(len, out)) > limit:
            raise Fail("too_large", f"plaintext above {limit} bytes")
        counter += 1
        if last:
            return b"".join(out)


def decrypt_passphrase(data, passphrase, max_log2n=22):
    """§6.2-§6.3: the passphrase in NFC first, then as typed."""
    nfc = unicodedata.normalize("NFC", passphrase)
    try:
        return decrypt_passphrase_bytes(data, nfc.encode(), max_log2n)
    except Fail as e:
        if e.outcome != "wrong_passphrase" or nfc == passphrase:
            raise
    return decrypt_passphrase_bytes(data, passphrase.encode(), max_log2n)


def decrypt_passphrase_bytes(data, passphrase, max_log2n):
    stanzas, header, mac, payload = parse_age(data)
    kinds = [s[0][0] for s in stanzas]
    if "scrypt" in kinds and len(kinds) != 1:
        raise Fail("malformed", f"a scrypt stanza must be alone: {kinds}")
    if kinds != ["scrypt"]:
        raise Fail("not_passphrase_encrypted", kinds)
    args, body = stanzas[0]
    if len(args) != 3 or not re.fullmatch(r"[1-9][0-9]?", args[2]):
        raise Fail("malformed", "scrypt stanza")
    salt, log2n = b64(args[1].encode()), int(args[2])
    if len(salt) != 16:
        raise Fail("malformed", "scrypt salt")
    if log2n > max_log2n:
        raise Fail("excessive_work", f"work factor 2^{log2n}")
    key = Scrypt(salt=b"age-encryption.org/v1/scrypt" + salt, length=32, n=1 << log2n, r=8, p=1).derive(passphrase)
    try:
        file_key = unwrap(key, body)
    except InvalidTag:
        raise Fail("wrong_passphrase")
    try:
        return finish(file_key, header, mac, payload, 4096)
    except Fail as e:
        if e.outcome == "too_large":  # §6.3 step 3
            raise Fail("invalid_plaintext", "plaintext above 4096 bytes")
        raise


def decrypt_x25519(data, scalar, limit):
    stanzas, header, mac, payload = parse_age(data)
    me = X25519PrivateKey.from_private_bytes(scalar)
    mine = me.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    for args, body in stanzas:
        if args[0] != "X25519" or len(args) != 2:
            continue
        share = b64(args[1].encode())
        if len(share) != 32:
            raise Fail("malformed", "X25519 share")
        secret = me.exchange(X25519PublicKey.from_public_bytes(share))
        try:
            file_key = unwrap(hkdf(secret, share + mine, b"age-encryption.org/v1/X25519"), body)
        except InvalidTag:
            continue
        return finish(file_key, header, mac, payload, limit)
    raise Fail("wrong_key")


# ----------------------------------------------------------------------------------------
# SPEC.md §4: identities

def argon2_params(obj):
    """Checks a KDF object of §4.1 against the limits of §4.2; returns (m, t, p)."""
    if not isinstance(obj, dict):
        raise Fail("malformed", "kdf is not an object")
    for k in ("algorithm", "version", "m_cost", "t_cost", "p_cost", "output_len"):
        if k not in obj:
            raise Fail("malformed", f"kdf.{k} missing")
    if not isinstance(obj["algorithm"], str):
        raise Fail("malformed", "algorithm is not a string")
    if obj["algorithm"] != "argon2id":
        raise Fail("kdf_unsupported", f"algorithm {obj['algorithm']!r}")
    for k in ("version", "m_cost", "t_cost", "p_cost", "output_len"):
        if type(obj[k]) is not int or obj[k] < 0:
            raise Fail("malformed", f"kdf.{k}")
    if obj["version"] != 19 or obj["output_len"] != 32:
        raise Fail("kdf_unsupported", f"version {obj['version']}, output_len {obj['output_len']}")
    m, t, p = obj["m_cost"], obj["t_cost"], obj["p_cost"]
    if not (1 <= p <= 16 and 1 <= t <= 16 and 8 * p <= m <= 1048576 and m * t <= 4194304):
        raise Fail("kdf_out_of_range", f"m_cost={m} t_cost={t} p_cost={p}")
    return m, t, p


def derive(kind, canonical, vault_id, m, t, p):
    """(identity string, recipient string, scalar) of a code's canonical value (§4)."""
    label = b"certvault/v1/recovery" if kind == "recovery" else b"certvault/v1/pin-code"
    scalar = hash_secret_raw(
        canonical, label + vault_id, time_cost=t, memory_cost=m, parallelism=p, hash_len=32, type=Type.ID,
        version=19,
    )
    pub = X25519PrivateKey.from_private_bytes(scalar).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return bech32("age-secret-key-", scalar).upper(), bech32("age", pub), scalar


def argon2_line(text):
    p = dict(kv.split("=") for kv in text.split())
    return int(p["m_cost"]), int(p["t_cost"]), int(p["p_cost"])


# ----------------------------------------------------------------------------------------
# SPEC.md §5: vault.json

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def is_recipient(s):
    """An age X25519 recipient string: lower-case Bech32, HRP `age`, 32 bytes."""
    if not isinstance(s, str) or s != s.lower() or not s.startswith("age1") or len(s) != 62:
        return False
    if any(c not in CHARSET for c in s[4:]):
        return False
    five = [CHARSET.index(c) for c in s[4:-6]]
    acc, bits, raw = 0, 0, []
    for v in five:
        acc, bits = acc << 5 | v, bits + 5
        if bits >= 8:
            bits -= 8
            raw.append(acc >> bits & 255)
    return len(raw) == 32 and bech32("age", bytes(raw)) == s


TIMESTAMP = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z")


def valid_timestamp(s):
    import calendar

    m = TIMESTAMP.fullmatch(s) if isinstance(s, str) else None
    if not m:
        return False
    y, mo, d, h, mi, sec = (int(x) for x in m.groups()[:6])
    return 1 <= mo <= 12 and 1 <= d <= calendar.monthrange(y, mo)[1] and h <= 23 and mi <= 59 and sec <= 60


def no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise Fail("malformed", f"member {k!r} twice")
        obj[k] = v
    return obj


def read_header(raw):
    """§5.3, in its order; returns (vault id bytes, header object)."""
    if len(raw) > 65536:
        raise Fail("too_large", "larger than 64 KiB")
    try:
        h = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        if isinstance(e, Fail):
            raise
        raise Fail("malformed", "not JSON")
    if not isinstance(h, dict):
        raise Fail("malformed", "not an object")
    if h.get("format") != "certvault-vault":
        raise Fail("not_a_vault")
    v = h.get("format_version")
    if type(v) is not int:  # absent, 1.0, 1e0, "1", true
        raise Fail("malformed", "format_version is not an integer")
    if v < 1:
        raise Fail("invalid_field", f"format_version {v}")
    if v > 1:
        raise Fail("unsupported_version", f"version {v}, this checker reads 1")
    for k in ("vault_id", "created", "kdf", "pin_recipient"):
        if k not in h:
            raise Fail("malformed", f"{k} missing")
    for k in ("vault_id", "created", "pin_recipient"):
        if not isinstance(h[k], str):
            raise Fail("malformed", f"{k} is not a string")
    if not re.fullmatch(r"[0-9a-f]{32}", h["vault_id"]):
        raise Fail("invalid_field", "vault_id")
    if not isinstance(h["created"], str):
        raise Fail("malformed", "created")
    if not valid_timestamp(h["created"]):
        raise Fail("invalid_field", f"created {h['created']!r}")
    if not isinstance(h["kdf"], dict) or "recovery" not in h["kdf"] or "pin_code" not in h["kdf"]:
        raise Fail("malformed", "kdf")
    if not is_recipient(h["pin_recipient"]):
        raise Fail("invalid_field", "pin_recipient")
    argon2_params(h["kdf"]["recovery"])
    argon2_params(h["kdf"]["pin_code"])
    return bytes.fromhex(h["vault_id"]), h


# ----------------------------------------------------------------------------------------
# SPEC.md §6: unlock.age

VAULT_LINE = "# certvault unlock file, vault "
CODE_LINE = "# RECOVERY-CODE: "


def read_unlock(data, passphrase, params, vault_id=None):
    """§6.3: decrypt, decode, verify. Returns (identity string, scalar, vault id)."""
    plain = decrypt_passphrase(data, passphrase)
    try:
        text = plain.decode("utf-8")
    except UnicodeDecodeError:
        raise Fail("invalid_plaintext", "not UTF-8")
    vault_lines, code_lines, identities = [], [], []
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        line = line.rstrip("".join(WHITE_SPACE))  # §6.3 step 4: white space of §3.4 ends no line
        if not line:
            continue
        if line.startswith(VAULT_LINE):
            vault_lines.append(line[len(VAULT_LINE):])
        elif line.startswith(CODE_LINE):
            code_lines.append(line[len(CODE_LINE):])
        elif line.startswith("#"):
            continue
        elif line.startswith("AGE-SECRET-KEY-1"):
            identities.append(line)
        else:
            raise Fail("invalid_plaintext", "a line that is neither comment nor identity")
    if len(vault_lines) != 1 or len(code_lines) != 1 or len(identities) != 1:
        raise Fail("invalid_plaintext", f"{len(vault_lines)} vault, {len(code_lines)} code, "
                                        f"{len(identities)} identity lines")
    code = parse("recovery", code_lines[0])
    if code[0] == "wrong_kind":
        raise Fail("wrong_kind", "the recovery code line holds a PIN code")
    if code[0] != "ok":
        raise Fail("invalid_code", f"recovery code: {code[0]}")
    if not re.fullmatch(r"[0-9a-f]{32}", vault_lines[0]):
        raise Fail("invalid_plaintext", "vault line")
    line_id = bytes.fromhex(vault_lines[0])
    if vault_id is not None and line_id != vault_id:
        raise Fail("vault_id_mismatch", "the vault line names another vault")
    identity, _, scalar = derive("recovery", code[1], line_id, *params)
    if identity != identities[0]:
        raise Fail("identity_mismatch")
    return identity, scalar, line_id


# ----------------------------------------------------------------------------------------
# SPEC.md §7-§10: generations, the payload archive, the manifest, PIN seals

def decode_identity(text):
    """The 32-byte X25519 scalar of an `AGE-SECRET-KEY-1…` string (§1)."""
    low = text.lower()
    if not low.startswith("age-secret-key-1") or any(c not in CHARSET for c in low[16:]):
        raise Fail("malformed", "not an identity string")
    acc, bits, raw = 0, 0, []
    for v in (CHARSET.index(c) for c in low[16:-6]):
        acc, bits = acc << 5 | v, bits + 5
        if bits >= 8:
            bits -= 8
            raw.append(acc >> bits & 255)
    if len(raw) != 32 or bech32("age-secret-key-", bytes(raw)) != low:
        raise Fail("malformed", "bad identity string")
    return bytes(raw)


def octal(field):
    """A ustar numeric field: octal digits up to the first NUL, spaces around them allowed."""
    text = field.split(b"\0", 1)[0].strip(b" ")
    if not re.fullmatch(rb"[0-7]+", text):
        raise Fail("malformed_archive", f"numeric field {field!r}")
    return int(text, 8)


def member_kind(name):
    """§8.1: 'manifest', 'cert' or 'pin' with the entry id, or None."""
    if name == "manifest.json":
        return "manifest", None
    m = re.fullmatch(r"(certs|pins)/([0-9a-f]{12})\.(p12|age)", name)
    if m and (m.group(1), m.group(3)) in (("certs", "p12"), ("pins", "age")):
        return ("cert" if m.group(1) == "certs" else "pin"), m.group(2)
    return None


def read_archive(data):
    """§8.4 steps 1-5 for every member, written from the ustar layout; returns {name: bytes}."""
    limits = {"manifest": 1 << 20, "cert": 1 << 20, "pin": 65536}
    pos, files, total = 0, {}, 0
    while pos < len(data):  # ends at the end of the plaintext on a header boundary…
        if len(data) - pos < 512:
            raise Fail("malformed_archive", "header cut short")
        h, pos = data[pos:pos + 512], pos + 512
        if h == bytes(512):  # …or at the first zero block; the rest is ignored
            break
        if octal(h[148:156]) != sum(h[:148]) + 8 * 32 + sum(h[156:]):
            raise Fail("malformed_archive", "header checksum")
        raw = h[:100].split(b"\0", 1)[0]
        if h[257:263] == b"ustar\0" and h[263:265] == b"00":
            prefix = h[345:500].split(b"\0", 1)[0]
            if prefix:
                raw = prefix + b"/" + raw
        if h[124] & 0x80:
            raise Fail("malformed_archive", "base-256 size")
        size = octal(h[124:136])
        typeflag, start, pos = h[156:157], pos, pos + (size + 511) // 512 * 512
        if typeflag == b"5" and raw in (b".", b"./"):
            continue
        raw = raw[2:] if raw.startswith(b"./") else raw
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Fail("unsafe_path", repr(raw))
        if not name or name.startswith("/") or any(c in name for c in "\\:\0") or ".." in name.split("/"):
            raise Fail("unsafe_path", name)
        if typeflag == b"5":
            if (name[:-1] if name.endswith("/") else name) in ("certs", "pins"):
                continue
            raise Fail("unexpected_file", name)
        if typeflag not in (b"0", b"\0"):
            raise Fail("unsupported_entry_type", f"{name}: type {typeflag!r}")
        kind = member_kind(name)
        if kind is None:
            raise Fail("unexpected_file", name)
        if name in files:
            raise Fail("duplicate_file", name)
        total += size
        if size > limits[kind[0]] or total > 16 << 20:
            raise Fail("too_large", name)
        if start + size > len(data):
            raise Fail("malformed_archive", f"{name} cut short")
        files[name] = data[start:start + size]
    return files


def read_manifest(raw, vault_id=None):
    """§9.3: returns the manifest object. Every failure but the version and KDF ones is
    invalid_manifest."""
    def bad(what):
        raise Fail("invalid_manifest", what)

    def hexlen(v, n):
        return isinstance(v, str) and re.fullmatch(f"[0-9a-f]{{{n}}}", v) is not None

    try:
        m = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except Fail:
        bad("a member twice")
    except (UnicodeDecodeError, ValueError):
        bad("not JSON")
    if not isinstance(m, dict):
        bad("not an object")
    v = m.get("format_version")
    if type(v) is not int:
        bad("format_version is not an integer")
    if v > 1:
        raise Fail("unsupported_version", f"version {v}")
    if v < 1:
        bad("format_version below 1")
    for k, t in (("vault_id", str), ("generation", int), ("created", str), ("updated", str),
                 ("pin_recipient", str), ("kdf", dict), ("entries", list)):
        if type(m.get(k)) is not t:
            bad(f"{k} missing or of the wrong type")
    if not hexlen(m["vault_id"], 32) or m["generation"] < 1 or not is_recipient(m["pin_recipient"]):
        bad("vault_id, generation or pin_recipient")
    if not valid_timestamp(m["created"]) or not valid_timestamp(m["updated"]):
        bad("timestamp")
    for kind in ("recovery", "pin_code"):
        try:
            argon2_params(m["kdf"].get(kind))
        except Fail as e:
            if e.outcome == "malformed":
                bad(f"kdf.{kind}")
            raise
    ids = set()
    for e in m["entries"]:
        if not isinstance(e, dict):
            bad("entry is not an object")
        for k, t in (("id", str), ("purpose", str), ("original_file_name", str), ("size", int), ("sha256", str),
                     ("added", str), ("certificate", dict), ("pin_stored", bool)):
            if type(e.get(k)) is not t:
                bad(f"entry {k} missing or of the wrong type")
        if not hexlen(e["sha256"], 64) or e["id"] != e["sha256"][:12] or e["size"] < 0:
            bad("entry id, sha256 or size")
        name = e["original_file_name"]
        if not 1 <= len(name.encode()) <= 255 or name in (".", "..") or re.search(r"[/\\\x00-\x1f\x7f-\x9f]", name):
            bad("original_file_name")
        if not valid_timestamp(e["added"]) or e.get("hint") is not None and not isinstance(e["hint"], str):
            bad("added or hint")
        c = e["certificate"]
        for k, t in (("subject", str), ("issuer", str), ("serial", str), ("not_before", str), ("not_after", str),
                     ("leaf_sha1", str), ("leaf_sha256", str), ("key_type", str), ("key_bits", int)):
            if type(c.get(k)) is not t:
                bad(f"certificate {k} missing or of the wrong type")
        if c.get("institution_code") is not None and not isinstance(c["institution_code"], str):
            bad("institution_code")
        ca = c.get("ca_sha1", [])
        if not re.fullmatch(r"(?:[0-9a-f]{2}){1,64}", c["serial"]) or not hexlen(c["leaf_sha1"], 40) \
                or not hexlen(c["leaf_sha256"], 64) or not isinstance(ca, list) or not all(hexlen(x, 40) for x in ca):
            bad("certificate hex")
        if not valid_timestamp(c["not_before"]) or not valid_timestamp(c["not_after"]) or c["key_bits"] < 0:
            bad("certificate validity or key_bits")
        sup = e.get("superseded")
        if sup is not None:
            if not isinstance(sup, dict) or not hexlen(sup.get("by"), 12) or not isinstance(sup.get("stops_working"), str) \
                    or not valid_timestamp(sup["stops_working"] + "T00:00:00Z"):
                bad("superseded")
        if e["id"] in ids:
            bad(f"entry {e['id']} twice")
        ids.add(e["id"])
    programs = m.get("programs")
    if programs is not None:
        if not isinstance(programs, list):
            bad("programs is not an array")
        paths = set()
        for p in programs:
            if not isinstance(p, dict):
                bad("program is not an object")
            for k, t in (("path", str), ("version", str), ("size", int), ("sha256", str)):
                if type(p.get(k)) is not t:
                    bad(f"program {k} missing or of the wrong type")
            segments = p["path"].split("/")
            if len(segments) != 2 or not all(re.fullmatch(r"[A-Za-z0-9._-]{1,64}", x) and x not in (".", "..")
                                             for x in segments):
                bad("program path")  # §9.2: never outside program/
            if not re.fullmatch(r"[\x21-\x7e]{1,64}", p["version"]) or not hexlen(p["sha256"], 64) or p["size"] < 0:
                bad("program version, sha256 or size")
            if p["path"].lower() in paths:
                bad(f"program {p['path']} twice")
            paths.add(p["path"].lower())
    return m


def read_generation(data, scalar, vault_id_hex, number):
    """§7.3 with §8.4 and §9.3: returns (manifest, files)."""
    files = read_archive(decrypt_x25519(data, scalar, 20 << 20))
    if "manifest.json" not in files:
        raise Fail("missing_manifest")
    m = read_manifest(files["manifest.json"])
    entries = {e["id"]: e for e in m["entries"]}
    for e in m["entries"]:
        cert = files.get(f"certs/{e['id']}.p12")
        if cert is None:
            raise Fail("missing_file", f"certs/{e['id']}.p12")
        if len(cert) != e["size"]:
            raise Fail("size_mismatch", e["id"])
        if hashlib.sha256(cert).hexdigest() != e["sha256"]:
            raise Fail("checksum_mismatch", e["id"])
        if e["pin_stored"] and f"pins/{e['id']}.age" not in files:
            raise Fail("missing_file", f"pins/{e['id']}.age")
    for name in files:
        kind, entry_id = member_kind(name)
        if kind == "cert" and entry_id not in entries or kind == "pin" and not entries.get(entry_id, {}).get(
                "pin_stored"):
            raise Fail("unreferenced_file", name)
    if m["vault_id"] != vault_id_hex:
        raise Fail("vault_id_mismatch")
    if m["generation"] != number:
        raise Fail("generation_mismatch")
    return m, files


def read_pin(data, scalar):
    """§10: the PIN of a sealed pins/<id>.age."""
    try:
        pin = decrypt_x25519(data, scalar, 1024)
    except Fail as e:
        if e.outcome == "too_large":
            raise Fail("invalid_pin", "longer than 1024 bytes")
        raise
    try:
        return pin.decode("utf-8")
    except UnicodeDecodeError:
        raise Fail("invalid_pin", "not UTF-8")


# ----------------------------------------------------------------------------------------
# SPEC.md §9.2: the manifest as writers write it (stricter than a reader's §9.3)

WRITTEN_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")  # §2.5: whole seconds
DN_TYPE = r"(?:CN|C|L|ST|O|OU|serialNumber|emailAddress|[0-9]+(?:\.[0-9]+)+)"
KEY_TYPES = re.compile(r"RSA|ECDSA P-(?:256|384|521)|ECDSA(?: [0-9]+(?:\.[0-9]+)+)?|Ed25519")
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")  # §9.2: Unicode Cc, DEL and C1 included


def writer_grammar(manifest):
    """Every way `manifest` departs from what §9.2 says writers write; [] if none."""
    bad = []

    def need(ok, what):
        if not ok:
            bad.append(what)

    def hexlen(v, n):
        return isinstance(v, str) and re.fullmatch(f"[0-9a-f]{{{n}}}", v) is not None

    def written_time(v):
        return isinstance(v, str) and WRITTEN_TIME.fullmatch(v) is not None and valid_timestamp(v)

    def dn(v):
        # RDNs joined by ", ", attributes of one RDN by " + ", each TYPE=value (§9.2).
        return isinstance(v, str) and all(
            re.match(DN_TYPE + "=", atv) for rdn in v.split(", ") for atv in rdn.split(" + ")
        )

    top = {"format_version", "vault_id", "generation", "created", "updated", "pin_recipient", "kdf", "entries"}
    need(top <= set(manifest) <= top | {"programs"}, f"top-level members {sorted(set(manifest) ^ top)}")
    # programs: omitted when empty (§9.2); each record as §9.2 writes it.
    need(manifest.get("programs", [None]) != [], "programs written empty")
    for p in manifest.get("programs", []):
        need(set(p) == {"path", "version", "size", "sha256"}, f"program members {sorted(p)}")
    need(manifest.get("format_version") == 1 and type(manifest.get("format_version")) is int, "format_version")
    need(hexlen(manifest.get("vault_id"), 32), "vault_id")
    need(type(manifest.get("generation")) is int and manifest["generation"] >= 1, "generation")
    need(written_time(manifest.get("created")), "created")
    need(written_time(manifest.get("updated")), "updated")
    need(is_recipient(manifest.get("pin_recipient")), "pin_recipient")
    for kind in ("recovery", "pin_code"):
        p = manifest.get("kdf", {}).get(kind, {})
        need(set(p) == {"algorithm", "version", "m_cost", "t_cost", "p_cost", "output_len"}, f"kdf.{kind} members")
    for e in manifest.get("entries", []):
        who = e.get("id", "?")
        allowed = {"id", "purpose", "original_file_name", "size", "sha256", "added", "certificate", "pin_stored",
                   "hint", "superseded"}
        need(set(e) <= allowed and allowed - {"hint", "superseded"} <= set(e), f"{who}: members {sorted(e)}")
        need(hexlen(e.get("sha256"), 64) and e.get("id") == e["sha256"][:12], f"{who}: id/sha256")
        need(e.get("purpose") in ("online-qualification", "hpki-second", "other"), f"{who}: purpose")
        name = e.get("original_file_name")
        need(isinstance(name, str) and 1 <= len(name.encode()) <= 255 and name not in (".", "..")
             and not re.search(r"[/\\]", name) and not CONTROL.search(name), f"{who}: original_file_name")
        need(type(e.get("size")) is int and e["size"] >= 0, f"{who}: size")
        need(written_time(e.get("added")), f"{who}: added")
        need(type(e.get("pin_stored")) is bool, f"{who}: pin_stored")
        need(isinstance(e.get("hint", ""), str), f"{who}: hint")
        if "superseded" in e:
            sup = e["superseded"]
            need(set(sup) == {"by", "stops_working"} and hexlen(sup["by"], 12)
                 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", sup["stops_working"]) is not None, f"{who}: superseded")
        c = e.get("certificate", {})
        members = {"subject", "institution_code", "issuer", "serial", "not_before", "not_after", "leaf_sha1",
                   "leaf_sha256", "ca_sha1", "key_type", "key_bits"}
        need(set(c) <= members and members - {"institution_code"} <= set(c), f"{who}: certificate members")
        need(dn(c.get("subject")), f"{who}: subject {c.get('subject')!r}")
        need(dn(c.get("issuer")), f"{who}: issuer {c.get('issuer')!r}")
        if "institution_code" in c:
            need(isinstance(c["institution_code"], str) and re.fullmatch(r"[0-9]{10}", c["institution_code"])
                 is not None, f"{who}: institution_code")
        serial = c.get("serial")
        need(isinstance(serial, str) and re.fullmatch(r"(?:[0-9a-f]{2}){1,64}", serial) is not None,
             f"{who}: serial {serial!r}")
        need(written_time(c.get("not_before")) and written_time(c.get("not_after")), f"{who}: validity")
        need(hexlen(c.get("leaf_sha1"), 40) and hexlen(c.get("leaf_sha256"), 64), f"{who}: leaf hashes")
        need(isinstance(c.get("ca_sha1"), list) and all(hexlen(h, 40) for h in c["ca_sha1"]), f"{who}: ca_sha1")
        key_type = c.get("key_type")
        need(isinstance(key_type, str) and KEY_TYPES.fullmatch(key_type) is not None, f"{who}: key_type {key_type!r}")
        need(type(c.get("key_bits")) is int and c["key_bits"] >= 0, f"{who}: key_bits")
        if key_type in ("ECDSA P-256", "ECDSA P-384", "ECDSA P-521"):
            need(c.get("key_bits") == int(key_type[-3:]), f"{who}: key_bits of {key_type}")
    return bad


# ----------------------------------------------------------------------------------------
# A vault folder (§2.2, §7, §9, §10)

GENERATION = re.compile(r"vault-([1-9][0-9]{0,19})\.age", re.IGNORECASE)


def named(folder, name):
    for n in os.listdir(folder):
        if n.lower() == name:
            return os.path.join(folder, n)
    raise Fail("malformed", f"{name} missing in {folder}")


def open_vault(folder, passphrase, pin_code=None, expected_pin=None):
    vault_id, header = read_header(open(named(folder, "vault.json"), "rb").read())
    params = argon2_params(header["kdf"]["recovery"])
    identity, scalar, _ = read_unlock(open(named(folder, "unlock.age"), "rb").read(), passphrase, params, vault_id)
    gens = sorted((int(m.group(1)), n) for n in os.listdir(folder) if (m := GENERATION.fullmatch(n)))
    if not gens:
        raise Fail("malformed", "no generation")
    number, name = gens[-1]
    manifest, files = read_generation(open(os.path.join(folder, name), "rb").read(), scalar, header["vault_id"],
                                      number)
    result = {
        "vault_id": header["vault_id"],
        "identity_is_derived_from_the_recovery_code": True,
        "generation": number,
        "entries": {},
        "writer_grammar_violations": writer_grammar(manifest),
    }
    pin_scalar = None
    if pin_code is not None:
        code = parse("pin-code", pin_code)
        if code[0] != "ok":
            raise Fail("invalid_pin_code", code[0])
        _, recipient, pin_scalar = derive("pin-code", code[1], vault_id, *argon2_params(manifest["kdf"]["pin_code"]))
        if recipient != manifest["pin_recipient"]:
            raise Fail("wrong_key", "the PIN code belongs to another vault")
    for e in manifest["entries"]:
        cert = files[f"certs/{e['id']}.p12"]
        entry = {"sha256": hashlib.sha256(cert).hexdigest(), "size": len(cert)}
        if pin_scalar is not None and f"pins/{e['id']}.age" in files:
            pin = read_pin(files[f"pins/{e['id']}.age"], pin_scalar)
            entry["pin_opens"] = True
            if expected_pin is not None:
                entry["pin_matches"] = pin == expected_pin
        result["entries"][e["id"]] = entry
    return result, files


# ----------------------------------------------------------------------------------------

def run_vector(d, name, h, body):
    area = h.get("area")
    if area == "header":
        read_header(body)
    elif area == "unlock":
        params = argon2_line(h["argon2"]) if "argon2" in h else (1024, 1, 1)
        read_unlock(body, h["passphrase"], params, bytes.fromhex(h["vault_id"]) if "vault_id" in h else None)
    elif area == "vault":
        folder = os.path.join(os.path.dirname(os.path.abspath(d)), "vault")
        result, files = open_vault(folder, h["passphrase"], h["pin_code"])
        unlock = decrypt_passphrase(open(named(folder, "unlock.age"), "rb").read(), h["passphrase"]).decode()
        if CODE_LINE + h["recovery_code"] not in unlock or h["identity"] not in unlock:
            raise Fail("mismatch", "recovery code or identity")
        pin_scalar = derive("pin-code", parse("pin-code", h["pin_code"])[1], bytes.fromhex(result["vault_id"]),
                            *argon2_params(json.loads(files["manifest.json"])["kdf"]["pin_code"]))[2]
        if bech32("age-secret-key-", pin_scalar).upper() != h["pin_identity"]:
            raise Fail("mismatch", "PIN identity")
        pin = decrypt_x25519(files[f"pins/{h['entry']}.age"], pin_scalar, 1024)
        if pin.decode() != h["pin"]:
            raise Fail("mismatch", "PIN")
        if result["writer_grammar_violations"]:
            raise Fail("mismatch", f"§9.2 as written: {result['writer_grammar_violations']}")
    elif area == "generation":
        number = GENERATION.fullmatch(h["file_name"])
        read_generation(body, decode_identity(h["identity"]), h["vault_id"], int(number.group(1)))
    elif area == "pin":
        if read_pin(body, decode_identity(h["identity"])) != h["pin"]:
            raise Fail("mismatch", "another PIN")
    elif area == "code" and h["expect"] == "ok":
        code = parse(h["kind"], h["input"])
        identity, recipient, _ = derive(h["kind"], code[1], bytes.fromhex(h["vault_id"]), *argon2_line(h["argon2"]))
        if (identity, recipient) != (h["identity"], h["recipient"]):
            raise Fail("mismatch", "argon2-cffi derives another identity")
    else:
        return False
    return True


def main(d):
    n = bad = 0
    for name in sorted(os.listdir(d)):
        h, body = load(os.path.join(d, name))
        try:
            if not run_vector(d, name, h, body):
                continue
            got, detail = "ok", ""
        except Fail as e:
            got, detail = e.outcome, str(e)
        n += 1
        if got != h["expect"]:
            bad += 1
            print(f"FAIL {name}: expected {h['expect']}, got {detail or got}")
    print(f"{n - bad} passed, {bad} failed")
    return 1 if bad else 0


def read_secret(path):
    text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8", newline="").read()
    text = text[1:] if text.startswith("\ufeff") else text  # a BOM, as Notepad writes (SPEC.md §6.2)
    if text.endswith("\n"):  # one trailing newline, LF or CRLF, as certvault reads a *-file
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    return text


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--vault":
        args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
        pin_code = read_secret(args["--pin-code-file"]) if "--pin-code-file" in args else None
        pin = read_secret(args["--pin-file"]) if "--pin-file" in args else None
        try:
            report, _ = open_vault(args["--vault"], read_secret(args["--passphrase-file"]), pin_code, pin)
        except Fail as e:
            print(f"{args['--vault']}: {e}", file=sys.stderr)
            sys.exit(1)
        print(json.dumps(report, indent=2, sort_keys=True))
        sys.exit(0)
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
