"""vouchers: the `voucher` fulfilment of orders: issuing one Ed25519-signed voucher per paid unit,
redeeming online and offline (one rule, vouchers.rules.redeem_refusal; one state machine,
VOUCHER_TRANSITIONS through vouchers.rules.voucher_move), refunds of unredeemed vouchers, signing
keys, offline sync and its conflicts."""
