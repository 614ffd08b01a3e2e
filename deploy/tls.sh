#!/usr/bin/env bash
# Certificates of the hub link (openssl; keys EC P-256).
#
# With the network's CA (the usual case: one CA for the network, its key never leaves the hub side):
#   on the box:     tls.sh request --out DIR --name DNS [--ip ADDR]…   -> server.key (stays here) + server.csr
#   on the CA side: tls.sh sign --ca-cert ca.pem --ca-key ca.key --csr server.csr --out server.pem [--days N]
#                   (--client for the hub's own CSR: the hub keeps its key, the box never sees it)
#   on the box:     tls.sh install --out DIR --cert server.pem --ca ca.pem
#                   -> server.pem + ca.pem (the network CA's certificate only), checked against server.key
# Stand-alone (a single box, the demo): tls.sh [make] --out DIR [--name DNS]… [--ip ADDR]… [--hub-cn CN]
#   -> a CA of this box's own (ca.key root-only, signs only this box's certificates), server.pem/.key
#      and a hub client certificate hub-client.pem/.key to hand to the hub.
# Renewal (lifetime 397 days; `endpoint check gateway` warns 30 days before): tls.sh renew --out DIR
#   stand-alone: new server and hub client certificates from the box's CA; network CA: a new
#   server.csr for the existing key, to sign and install as above. Then: systemctl restart e2e-gateway.
# Status: tls.sh status --out DIR (subject and expiry of each certificate).
# Files are readable by the service group (--group, default e2e-endpoint when it exists): keys 640,
# certificates 644, the folder 755; the stand-alone CA key 600. Existing files are kept unless --force.
# Configure the gateway with ENDPOINT_TLS_CERT=DIR/server.pem, ENDPOINT_TLS_KEY=DIR/server.key,
# ENDPOINT_HUB_CA=DIR/ca.pem, ENDPOINT_HUB_ALLOWED_SUBJECTS=<the hub's CN>.
set -euo pipefail

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "tls.sh: $*" >&2; exit 2; }
abs() { realpath -m -- "$1"; }

action=make
case "${1:-}" in make|request|sign|install|renew|status) action=$1; shift ;; esac

out=/etc/e2e-endpoint/tls
names=()
ips=(127.0.0.1)
hub_cn=research-hub
hub_cn_given=0
ca_cert=
ca_key=
csr=
cert=
client=0
days=397
ca_days=3650
force=0
group=
group_set=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$(abs "$2"); shift 2 ;;
    --name) names+=("$2"); shift 2 ;;
    --ip) ips+=("$2"); shift 2 ;;
    --hub-cn) hub_cn=$2; hub_cn_given=1; shift 2 ;;
    --ca-cert|--ca) ca_cert=$(abs "$2"); shift 2 ;;
    --ca-key) ca_key=$(abs "$2"); shift 2 ;;
    --csr) csr=$(abs "$2"); shift 2 ;;
    --cert) cert=$(abs "$2"); shift 2 ;;
    --client) client=1; shift ;;
    --days) days=$2; shift 2 ;;
    --force) force=1; shift ;;
    --group) group=$2; group_set=1; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "tls.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
command -v openssl >/dev/null || { echo "tls.sh: openssl is needed (apt-get install openssl)." >&2; exit 1; }
[[ "$days" =~ ^[0-9]+$ ]] || die "--days takes a whole number, not '$days'."
if [ "$group_set" = 0 ] && getent group e2e-endpoint >/dev/null 2>&1; then group=e2e-endpoint; fi
names_given=${#names[@]}
[ ${#names[@]} -gt 0 ] || names=("$(hostname -f 2>/dev/null || hostname)" localhost)

# own FILE MODE: the service group may read what the gateway needs; nothing else changes hands.
own() {
  chmod "$2" "$1"
  if [ -n "$group" ] && [ "$2" != 600 ]; then chgrp "$group" "$1" 2>/dev/null || die "cannot give $1 to group $group (run as root, or --group GROUP)."; fi
}
folder() {
  mkdir -p "$out"
  own "$out" 755
}
fresh() { [ "$force" = 1 ] || [ ! -s "$1" ]; }
newkey() { (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null); }
server_ext() {
  local san=""
  for n in "${names[@]}"; do san="${san:+$san,}DNS:$n"; done
  for i in "${ips[@]}"; do san="${san:+$san,}IP:$i"; done
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san"
}
client_ext() { printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n'; }
# sign_with CA_CERT CA_KEY CSR OUT EXTENSIONS-TEXT
sign_with() {
  local ext; ext=$(mktemp)
  printf '%s' "$5" > "$ext"
  openssl x509 -req -in "$3" -CA "$1" -CAkey "$2" -CAcreateserial -CAserial "$(dirname "$4")/.ca.srl" -out "$4" -days "$days" -extfile "$ext" 2>/dev/null \
    || { rm -f "$ext"; die "signing $3 failed"; }
  rm -f "$ext"
}
expiry() { openssl x509 -in "$1" -noout -enddate | cut -d= -f2; }
# standalone_server / standalone_client: a new key and certificate from the box's own CA.
standalone_server() {
  newkey server.key
  openssl req -new -key server.key -out server.csr -subj "/O=e2e-endpoint/CN=${names[0]}" 2>/dev/null
  sign_with ca.pem ca.key server.csr server.pem "$(server_ext)"
  rm -f server.csr; own server.key 640; own server.pem 644
  echo "made server.pem (${names[*]}, $days days, until $(expiry server.pem))"
}
standalone_client() {
  newkey hub-client.key
  openssl req -new -key hub-client.key -out hub-client.csr -subj "/O=e2e-endpoint network/CN=$hub_cn" 2>/dev/null
  sign_with ca.pem ca.key hub-client.csr hub-client.pem "$(client_ext)"
  rm -f hub-client.csr; chmod 600 hub-client.key; own hub-client.pem 644
  echo "made hub-client.pem (CN=$hub_cn, $days days, until $(expiry hub-client.pem)); give it and hub-client.key to the hub, then remove hub-client.key here"
}

case "$action" in
  make)
    if [ -n "$ca_cert$ca_key" ]; then
      die "--ca-cert/--ca-key would copy the network CA's private key onto this box. With the network's CA, run 'tls.sh request' here, 'tls.sh sign' where the CA key is, then 'tls.sh install' here (see --help)."
    fi
    folder; cd "$out"
    if fresh ca.pem; then
      newkey ca.key
      openssl req -x509 -new -key ca.key -out ca.pem -days "$ca_days" -subj "/O=e2e-endpoint/CN=e2e-endpoint CA of ${names[0]}" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
      chmod 600 ca.key; own ca.pem 644
      echo "made ca.pem (this box's own CA, $ca_days days)"
    fi
    if fresh server.pem; then standalone_server; fi
    if fresh hub-client.pem; then standalone_client; fi
    ;;
  request)
    folder; cd "$out"
    if fresh server.key; then newkey server.key; own server.key 640; echo "made server.key (stays on this box)"; fi
    openssl req -new -key server.key -out server.csr -subj "/O=e2e-endpoint/CN=${names[0]}" 2>/dev/null
    own server.csr 644
    echo "made $out/server.csr: have the network CA sign it (tls.sh sign --csr server.csr --cert server.pem --name … --ip …), then tls.sh install --cert server.pem --ca ca.pem"
    echo "names: ${names[*]}; addresses: ${ips[*]} (the CA adds them with --name/--ip when it signs)"
    ;;
  sign)
    [ -n "$ca_cert" ] && [ -n "$ca_key" ] && [ -n "$csr" ] && [ -n "$cert" ] || die "sign needs --ca-cert, --ca-key, --csr and --cert (the certificate to write)."
    openssl req -in "$csr" -noout -verify 2>/dev/null || die "$csr is not a valid certificate request."
    # A server certificate names the box: --name/--ip, or the request's CN.
    if [ "$names_given" = 0 ]; then names=("$(openssl req -in "$csr" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')"); fi
    if [ "$client" = 1 ]; then sign_with "$ca_cert" "$ca_key" "$csr" "$cert" "$(client_ext)"; else sign_with "$ca_cert" "$ca_key" "$csr" "$cert" "$(server_ext)"; fi
    chmod 644 "$cert"
    echo "signed $cert ($(openssl x509 -in "$cert" -noout -subject), until $(expiry "$cert"))"
    ;;
  install)
    [ -n "$cert" ] && [ -n "$ca_cert" ] || die "install needs --cert (the signed server certificate) and --ca-cert (the network CA's certificate)."
    [ -s "$out/server.key" ] || die "$out/server.key is missing: run 'tls.sh request --out $out' first."
    openssl verify -CAfile "$ca_cert" "$cert" >/dev/null 2>&1 || die "$cert is not signed by $ca_cert."
    [ "$(openssl x509 -in "$cert" -noout -pubkey)" = "$(openssl pkey -in "$out/server.key" -pubout)" ] || die "$cert was not made for $out/server.key (another request?)."
    folder
    cp "$cert" "$out/server.pem.new"; mv "$out/server.pem.new" "$out/server.pem"
    cp "$ca_cert" "$out/ca.pem.new"; mv "$out/ca.pem.new" "$out/ca.pem"
    own "$out/server.pem" 644; own "$out/ca.pem" 644; own "$out/server.key" 640
    rm -f "$out/server.csr" "$out/ca.key"
    echo "installed server.pem (until $(expiry "$out/server.pem")) and ca.pem; restart the gateway: systemctl restart e2e-gateway"
    ;;
  renew)
    cd "$out" 2>/dev/null || die "$out does not exist."
    # Keep what the certificates name unless told otherwise.
    if [ "$names_given" = 0 ] && [ -s server.pem ]; then
      san=$(openssl x509 -in server.pem -noout -ext subjectAltName 2>/dev/null | tail -n +2 | tr ',' '\n' | sed 's/^ *//')
      names=(); ips=()
      while IFS= read -r entry; do
        case "$entry" in DNS:*) names+=("${entry#DNS:}") ;; "IP Address:"*) ips+=("${entry#IP Address:}") ;; esac
      done <<< "$san"
      [ ${#names[@]} -gt 0 ] || names=("$(openssl x509 -in server.pem -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')")
    fi
    if [ "$hub_cn_given" = 0 ] && [ -s hub-client.pem ]; then
      hub_cn=$(openssl x509 -in hub-client.pem -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p')
    fi
    if [ -s ca.key ]; then
      standalone_server
      if [ -s hub-client.pem ]; then standalone_client; fi
      echo "renewed; restart the gateway: systemctl restart e2e-gateway"
    else
      [ -s server.key ] || die "$out/server.key is missing: run 'tls.sh request --out $out'."
      openssl req -new -key server.key -out server.csr -subj "$(openssl x509 -in server.pem -noout -subject -nameopt compat | sed 's/^subject=//')" 2>/dev/null
      own server.csr 644
      echo "made $out/server.csr for the existing key: have the network CA sign it, then tls.sh install --cert server.pem --ca ca.pem"
    fi
    ;;
  status)
    for file in "$out"/*.pem; do
      [ -e "$file" ] || continue
      printf '%s: %s, until %s\n' "$(basename "$file")" "$(openssl x509 -in "$file" -noout -subject -nameopt oneline | sed 's/^subject= *//')" "$(expiry "$file")"
    done
    ;;
esac
