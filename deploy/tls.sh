#!/usr/bin/env bash
# Makes the certificates of the hub link (openssl):
#   ca.pem / ca.key          the network's CA (made here unless --ca-cert/--ca-key give the network's own)
#   server.pem / server.key  the gateway's HTTPS server certificate (SAN: --name DNS names and --ip addresses)
#   hub-client.pem / .key    a client certificate for the research hub (CN from --hub-cn)
# Keys: EC P-256. Lifetimes: CA 10 years, server and client 397 days. Existing files are kept
# (idempotent) unless --force. Configure the gateway with ENDPOINT_TLS_CERT=server.pem,
# ENDPOINT_TLS_KEY=server.key, ENDPOINT_HUB_CA=ca.pem.
set -euo pipefail

out=/etc/e2e-endpoint/tls
names=()
ips=(127.0.0.1)
hub_cn=research-hub
ca_cert=
ca_key=
days=397
ca_days=3650
force=0
usage() { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; echo "Usage: $0 [--out DIR] [--name DNS]… [--ip ADDR]… [--hub-cn CN] [--ca-cert PEM --ca-key KEY] [--days N] [--force]"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --name) names+=("$2"); shift 2 ;;
    --ip) ips+=("$2"); shift 2 ;;
    --hub-cn) hub_cn=$2; shift 2 ;;
    --ca-cert) ca_cert=$2; shift 2 ;;
    --ca-key) ca_key=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "tls.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
command -v openssl >/dev/null || { echo "tls.sh: openssl is needed (apt-get install openssl)." >&2; exit 1; }
[ ${#names[@]} -gt 0 ] || names=("$(hostname -f 2>/dev/null || hostname)" localhost)
mkdir -p "$out"; chmod 750 "$out"
umask 077
cd "$out"

fresh() { [ "$force" = 1 ] || [ ! -s "$1" ]; }

if [ -n "$ca_cert" ]; then
  [ -n "$ca_key" ] || { echo "tls.sh: --ca-cert needs --ca-key to sign with." >&2; exit 2; }
  cp "$ca_cert" ca.pem; cp "$ca_key" ca.key
elif fresh ca.pem; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
    -days "$ca_days" -subj "/O=e2e-endpoint network/CN=e2e-endpoint network CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  echo "made ca.pem (CA, $ca_days days)"
fi

sign() { # name subject extensions-file
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days "$days" -extfile "$3" 2>/dev/null
  rm -f "$1.csr" "$3"
}

if fresh server.pem; then
  san=""
  for n in "${names[@]}"; do san="${san:+$san,}DNS:$n"; done
  for i in "${ips[@]}"; do san="${san:+$san,}IP:$i"; done
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" > server.ext
  sign server "/O=e2e-endpoint/CN=${names[0]}" server.ext
  echo "made server.pem ($san, $days days)"
fi

if fresh hub-client.pem; then
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
  sign hub-client "/O=e2e-endpoint network/CN=$hub_cn" client.ext
  echo "made hub-client.pem (CN=$hub_cn, $days days)"
fi
chmod 640 ./*.pem ./*.key
