// TEST ONLY — a published RSA private key that no merchant is ever given and no gateway ever
// lists: what the `unknown_key` faults sign with (the paylab protocol's answers and notifications,
// Alipay's answers and notifications), so that a signature under it must be refused. Published on
// purpose: anyone can sign with it, and whatever is signed with it is meant not to verify. It is
// none of the sandbox keys (sandbox-key.ts) an in-memory gateway starts with. Generating it instead
// cost 100-600 ms of CPU in each process that injected the fault (a test suite, a scenario run).
export const DECOY_TEST_ONLY_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC654ILXpi3f2R1
ChagiLZfMAkHnUwc71zaTNyzLsUVLDmrtFpM9ywLHpVVdTpMkVC55Ac1sX23ZCUe
HWYuiW3zUTc2vncnHM1qoya0UUa7+MQVE1Zq65Ds/8cVMz++q3sEpIrMPh8fnnpf
9P2O7qDOxfzFfqOphuZMW8TSMNZJX0UCrehAa+Ewvj0DYlb2QSx14JfTMwKrDLQ1
WEDqZCaPE8GVF+CBA/1/qgFuyo6PgkhBSCwWXFsWKsPfKXJ7niUJcbDXQJpYPCaq
JT4w+x2JmwJ0Uxc1xr4dgu3bOpmcgSREKDbAX+O/diyYbaE8CHkx6rtQmIYFBJvy
VkXdAIhdAgMBAAECggEADnAMuSEdDeuu0GWvmsYExHSa9fYeJ4wL8acHU2YU/k40
xEFBynk7cz5xDbFpB/ofsMRfFDQ6QFzhiyJ9PrIKBsYqzDVJUgGlEow41KwEmUed
qf0c61R4FP6rG8WiMnHfpluphx5zXAdrb5cmsRBY5rAflwfxz4ompxZdrVjtbKxo
Bhf+0i626k6QWSQfUqVNQniF3145U3XOCLS3bFfXSkrivY54g6b35LLOdSG6bEcG
Eak/2CHFY8C9kmzWIGu/JgjdgTvcF+h/V55E5DQEa0b7aESMokY8a5x7SDJn9B1I
UnSGtUNu0LCL39H7qsBZ551xTuQsBZqxkr6L9Be6cQKBgQDcscHIJ6qm5Ik4mj2o
X2/i/ClEBpinienFXPi6/um9je8+HEQZHp0xN6AezUydOM2STMnJTuJt6npE3tng
ljWHi2K+VstxJfiJkyl2oeJtrQYqZ5JF0ZTRDOz0voJ8W0QGdbtmfX58eqAjEGc2
Kim7G/hGPtbu/4d1CZhrA5tHpQKBgQDYzezc6ILfYCHEr07IFkr7w5tYjuFEhCrF
dHA0OXDFLtjcwKX184HMhps1pCMrqyG3tzB13+UNr0KyXqzW+/FsU4E6jlhr+6Vs
sME/J0j/l6MYQie0C663v6goW952YTYDzWveqJC+XawDFzcdo3RDj7jqN+KqbPCd
ZJOLedAgWQKBgQC4u6qjqmB0dtROJv35lHmJnN3F7WeWxiCCbkJd9McfPlHGwc5W
4INgEVncrqi06jlZfyFhesCalS1nvMrP7aw9G3W6Mdj1i30xW5fXj8aDW9PPZwbP
npFdM96dN2LuSU71wVLuhZl9BQBKmY5rjnuD/fOiiTNMt2RhmXiWC1zNaQKBgCGS
IW9DgaBdHl16V9Sbvxik/VUFKtSVMppIoWc0zcV6r5HfMtOW1S56WWZA+EE2yo3M
C/D0rl8kGEvOZS0U7hk8BPKwP/jYipD9/a5twtvw+wwykjtK488IGl3Fe/kQrHCC
SoW7zE3t60i/O4WXXdVoV9XMuYhyPf/hJwed4SBhAoGAJlZstjohldvjRVqhOKFM
PJQ5q1Ayu2Z0cGEXgaKZDAve5fb9Jx062DoXnf8UjE9F3LywyQWcJAgeqWCoN1X8
ys7UuoOAdfrn+/bWQD7j5j5WHpgljZwdAGCSVQVx8p6Re9d2fZchK+0XINXaLJWp
8y/GYClMwe9Xh3D5g157krc=
-----END PRIVATE KEY-----
`
