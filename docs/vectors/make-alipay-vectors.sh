#!/usr/bin/env bash
# Computes the Alipay vectors of docs/channels/alipay.md with openssl alone (no paylab code):
#   bash docs/vectors/make-alipay-vectors.sh
# The app key is test-only-rsa-private.pem; "Alipay's" key is alipay-test-only-rsa-private.pem.
# RSA2 = SHA256withRSA, PKCS#1 v1.5, base64 (deterministic, so the vectors are fixed). TEST ONLY.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
sign () { printf '%s' "$2" | openssl dgst -sha256 -sign "$dir/$1" | base64 -w0; echo; }

request='app_id=2021000122671080&biz_content={"out_trade_no":"vector-001"}&charset=utf-8&method=alipay.trade.query&sign_type=RSA2&timestamp=2026-03-01 12:00:00&version=1.0'
echo "request string: $request"
echo "request sign:   $(sign test-only-rsa-private.pem "$request")"

answer='{"code":"10000","msg":"Success","trade_no":"pay_vector001","out_trade_no":"vector-001","trade_status":"TRADE_SUCCESS","total_amount":"88.88"}'
echo "answer inner:   $answer"
echo "answer sign:    $(sign alipay-test-only-rsa-private.pem "$answer")"

notification='app_id=2021000122671080&auth_app_id=2021000122671080&buyer_id=2088102177846880&charset=utf-8&gmt_create=2026-03-01 20:00:00&gmt_payment=2026-03-01 20:00:05&notify_id=evt001&notify_time=2026-03-01 20:00:06&notify_type=trade_status_sync&out_trade_no=vector-001&seller_id=2088000000000001&total_amount=88.88&trade_no=pay_vector001&trade_status=TRADE_SUCCESS&version=1.0'
echo "notify string:  $notification"
echo "notify sign:    $(sign alipay-test-only-rsa-private.pem "$notification")"
