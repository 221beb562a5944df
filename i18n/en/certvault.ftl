# certvault user-facing messages, English. Every id here must also exist in ja/certvault.ftl
# (a test checks). Placeables are inserted without Unicode isolation marks.

error-prefix = certvault: error
hint-prefix = hint

## PKCS#12 reading errors: { $file } is the path.
err-read = { $file }: cannot read the file: { $reason }
err-is-directory = { $file }: this is a folder, not a certificate file
err-not-found = { $file }: no such file
err-too-large = { $file }: the file is { $size } bytes, far larger than any certificate file (limit { $limit })
err-empty = { $file }: the file is empty (0 bytes); the download or copy did not complete
err-not-pkcs12 = { $file }: not a PKCS#12 certificate file
err-not-pkcs12-kind = { $file }: not a PKCS#12 certificate file (it looks like { $kind })
err-truncated = { $file }: the file is truncated (it ends in the middle of its contents); copy or download it again
err-malformed = { $file }: the PKCS#12 structure is damaged: { $detail }
err-unsupported = { $file }: unsupported algorithm: { $what }
err-wrong-pin = { $file }: wrong PIN (password)
err-mac-mismatch = { $file }: the PIN is correct, but the file's integrity check (MAC) fails: the file has been damaged or altered
err-iterations = { $file }: the file asks for { $count } key-derivation iterations, more than certvault will run
err-cert = { $file }: { $detail }
err-pin-file = { $file }: cannot read the PIN file: { $reason }
err-pin-file-empty = the PIN file { $file } is empty
err-no-terminal = no terminal to ask for the { $what } on; use { $flag } FILE (- for standard input)
err-interrupted = stopped (Ctrl-C)
err-max-digits = --max-digits must be between 1 and 8 (got { $value })

hint-wrong-pin = PINs can be retried here as often as needed: certvault checks them offline, so nothing is locked.
hint-not-pkcs12 = Certificate files usually end in .p12 or .pfx; check that you picked the right file.

## inspect
inspect-file = File
inspect-size = { $size } bytes
inspect-format = Format
inspect-format-value = PKCS#12, { $encoding } encoding
inspect-integrity = Integrity (MAC)
inspect-integrity-none = none (the file has no MAC)
inspect-iterations = { $count } iterations
inspect-contents = Contents
inspect-part-plain = unencrypted
inspect-part-encrypted = encrypted with { $algorithm }
inspect-part-unsupported = unsupported content ({ $algorithm })
inspect-part-locked = contents hidden until the PIN is given
inspect-bag-certificate = certificate
inspect-bag-private-key = private key, NOT encrypted
inspect-bag-shrouded-private-key = private key, encrypted with { $algorithm }
inspect-bag-other = { $kind }
inspect-unsupported-mark = (not supported)
inspect-private-key = Private key
inspect-key-none = none: this file holds no private key and cannot be used as a client certificate
inspect-key-matches = present, matches the certificate
inspect-key-mismatch = present, but it does NOT match any certificate in the file
inspect-key-unknown = present (whether it matches the certificate could not be checked for this key type)
inspect-key-hidden = unknown until the PIN is given
inspect-certificates = Certificates
inspect-pin = PIN
inspect-pin-correct = correct
inspect-pin-wrong = wrong
inspect-pin-not-needed = not needed: nothing in this file is protected by a password
inspect-pin-empty = the file has an empty password: it is not protected
inspect-pin-absent = the file has no password at all: it is not protected
inspect-pin-not-given = not checked (no PIN given)
inspect-purpose = Purpose (guess)
purpose-online-qualification = online qualification (オンライン資格確認)
purpose-hpki-second = HPKI second client certificate (e-prescriptions)
purpose-other = other
inspect-leaf = Client certificate
inspect-subject = Subject
inspect-institution = Institution code
inspect-issuer = Issuer
inspect-serial = Serial
inspect-valid-from = Valid from
inspect-valid-until = Valid until
inspect-days-left = { $days } days left
inspect-expired = EXPIRED { $days } days ago
inspect-key = Key
inspect-sha1 = SHA-1 thumbprint
inspect-sha256 = SHA-256 thumbprint
inspect-chain = Certificate chain
inspect-chain-root = CA root: compare this SHA-1 thumbprint with the one in the manual
inspect-chain-ca = CA
inspect-chain-none = none in this file
inspect-brute-force = Warning: this PIN is { $digits } digits. Trying all { $count } such PINs against this file takes about { $duration } on this computer, so the file protects nothing once someone has a copy. Keep it only in the vault and remove other copies.
inspect-enter-pin = PIN for { $file } (Enter to skip):
inspect-pin-retry = That PIN is wrong. Try again as often as you need (nothing gets locked), or press Enter to skip.

duration-ms = { $value } ms
duration-s = { $value } seconds
duration-min = { $value } minutes
duration-h = { $value } hours
duration-d = { $value } days

## recover-pin
recover-start = Trying every numeric PIN of up to { $digits } digits ({ $count } candidates, { $threads } threads); estimated at most { $duration }.
recover-found = Found the PIN after { $tried } tries in { $duration }:
recover-not-found = No numeric PIN of up to { $digits } digits opens { $file } ({ $tried } tried in { $duration }).
recover-no-pin-needed = { $file } is not protected by a password; there is no PIN to find.
recover-progress = PINs tried
