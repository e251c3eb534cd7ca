#!/usr/bin/env bash
# Computes docs/vectors/vectors.json with openssl alone (no paylab code), so that the vectors
# check the gateway against the protocol text, not against itself. Run from the repository root:
#   bash docs/vectors/make-vectors.sh
# The RSA key pair is generated only when it is missing; the committed pair is the one the
# committed vectors use. Everything here is TEST ONLY.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
private="$dir/test-only-rsa-private.pem"
public="$dir/test-only-rsa-public.pem"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

banner='TEST ONLY: a published key of the paylab test vectors. Anyone can sign with it. Never use it for anything real.'
if [ ! -f "$private" ]; then
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$tmp/key.pem" 2>/dev/null
  openssl pkey -in "$tmp/key.pem" -pubout -out "$tmp/pub.pem"
  { echo "$banner"; echo; cat "$tmp/key.pem"; } > "$private"
  { echo "$banner"; echo; cat "$tmp/pub.pem"; } > "$public"
fi

merchant='vector_merchant'
secret='paylab-test-only-hmac-secret-do-not-use'
key_id='key_TESTONLYvec1'
pay_secret='your-api-key'

hmac_b64 () { openssl dgst -sha256 -hmac "$1" -binary "$2" | base64 -w0; }
rsa_b64 () { openssl dgst -sha256 -sign "$private" -binary "$1" | base64 -w0; }

# request NAME METHOD PATH TIMESTAMP NONCE BODY TYPE -> $tmp/NAME.json
request () {
  local name=$1 method=$2 path=$3 ts=$4 nonce=$5 body=$6 type=$7 sig
  printf '%s\n%s\n%s\n%s\n%s\n' "$method" "$path" "$ts" "$nonce" "$body" > "$tmp/$name.sts"
  if [ "$type" = HMAC-SHA256 ]; then sig=$(hmac_b64 "$secret" "$tmp/$name.sts"); else sig=$(rsa_b64 "$tmp/$name.sts"); fi
  jq -n --arg m "$method" --arg p "$path" --arg ts "$ts" --arg n "$nonce" --arg b "$body" --arg t "$type" \
    --rawfile sts "$tmp/$name.sts" --arg sig "$sig" --arg mch "$merchant" \
    '{signature_type: $t, merchant: $mch, method: $m, path: $p, timestamp: $ts, nonce: $n, body: $b, string_to_sign: $sts, signature: $sig}' > "$tmp/$name.json"
}

# answer NAME TIMESTAMP NONCE BODY TYPE -> $tmp/NAME.json
answer () {
  local name=$1 ts=$2 nonce=$3 body=$4 type=$5 sig kid=null
  printf '%s\n%s\n%s\n' "$ts" "$nonce" "$body" > "$tmp/$name.sts"
  if [ "$type" = HMAC-SHA256 ]; then sig=$(hmac_b64 "$secret" "$tmp/$name.sts"); else sig=$(rsa_b64 "$tmp/$name.sts"); kid="\"$key_id\""; fi
  jq -n --arg ts "$ts" --arg n "$nonce" --arg b "$body" --arg t "$type" --rawfile sts "$tmp/$name.sts" --arg sig "$sig" --argjson kid "$kid" \
    '{signature_type: $t, key_id: $kid, timestamp: $ts, nonce: $n, body: $b, string_to_sign: $sts, signature: $sig}' > "$tmp/$name.json"
}

# notification NAME EVENT_ID ATTEMPT TIMESTAMP NONCE BODY TYPE -> $tmp/NAME.json: signed like an answer,
# plus the Paylab-Event-Id and Paylab-Delivery-Attempt headers (docs/notifications.md).
notification () {
  local name=$1 event_id=$2 attempt=$3
  answer "$name.answer" "$4" "$5" "$6" "$7"
  jq --arg e "$event_id" --arg a "$attempt" '{event_id: $e, delivery_attempt: $a} + .' "$tmp/$name.answer.json" > "$tmp/$name.json"
}

request hmac_request POST /v1/payments 1767225600 vector-hmac-nonce-0001 \
  '{"merchant_order_id":"vector-hmac-1","amount":5000,"currency":"CNY","method":{"type":"wallet","wallet":{"provider":"alipay"}}}' HMAC-SHA256
request hmac_request_with_query GET '/v1/payments?limit=2' 1767225600 vector-hmac-nonce-0002 '' HMAC-SHA256
request rsa_request POST /v1/payments 1767225600 vector-rsa-nonce-00001 \
  '{"merchant_order_id":"vector-rsa-1","amount":1999,"currency":"USD","method":{"type":"wallet","wallet":{"provider":"alipay"}}}' RSA-SHA256
answer hmac_answer 1767225601 vector-answer-nonce-01 '{"id":"pay_vector0000000000001","object":"payment","status":"succeeded"}' HMAC-SHA256
answer rsa_answer 1767225601 vector-answer-nonce-02 '{"id":"pay_vector0000000000002","object":"payment","status":"succeeded"}' RSA-SHA256
notification hmac_notification evt_vector00000000000001 1 1767225602 vector-notify-nonce-01 \
  '{"id":"evt_vector00000000000001","object":"event","type":"payment.succeeded","created":"2026-01-01T00:00:02.000Z","data":{"object":{"id":"pay_vector0000000000001","object":"payment","merchant_order_id":"vector-hmac-1","amount":5000,"currency":"CNY","status":"succeeded"}}}' HMAC-SHA256

# /pay: the body exactly as Python's json.dumps(user_info) writes it (", " and ": " separators, 100.0).
pay_body='{"user_id": "123456", "order_id": "1234567890", "amount": 100.0, "currency": "USD"}'
printf '%s' "$pay_body" > "$tmp/pay.body"
pay_sig=$(openssl dgst -sha256 -hmac "$pay_secret" -hex -r "$tmp/pay.body" | cut -d' ' -f1)
jq -n --arg b "$pay_body" --arg s "$pay_secret" --arg sig "$pay_sig" \
  '{merchant: "seed", secret: $s, method: "POST", path: "/pay", body: $b, signature: $sig}' > "$tmp/pay.json"

jq -n --arg note "TEST ONLY. Computed by docs/vectors/make-vectors.sh with $(openssl version | cut -d' ' -f1-2); see docs/protocol.md#test-vectors." \
  --arg mch "$merchant" --arg secret "$secret" --arg kid "$key_id" \
  --slurpfile hr "$tmp/hmac_request.json" --slurpfile hq "$tmp/hmac_request_with_query.json" --slurpfile rr "$tmp/rsa_request.json" \
  --slurpfile ha "$tmp/hmac_answer.json" --slurpfile ra "$tmp/rsa_answer.json" --slurpfile pay "$tmp/pay.json" \
  --slurpfile hn "$tmp/hmac_notification.json" \
  '{
    note: $note,
    merchant: { id: $mch, hmac_secret: $secret, rsa_public_key_file: "test-only-rsa-public.pem", rsa_private_key_file: "test-only-rsa-private.pem" },
    gateway_key: { id: $kid, note: "the answer vectors play the gateway with the same test key pair" },
    hmac_request: $hr[0], hmac_request_with_query: $hq[0], rsa_request: $rr[0],
    hmac_answer: $ha[0], rsa_answer: $ra[0], pay: $pay[0], hmac_notification: $hn[0]
  }' > "$dir/vectors.json"
echo "wrote $dir/vectors.json"
