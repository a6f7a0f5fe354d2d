/**
 * Request bodies exactly as the PayKKa v1.2 WooCommerce plugin (the last version that speaks
 * v1.2) sends them: pretty-printed with four spaces and unescaped slashes, `null` for every
 * field it has no value for, `"version": "v1.2"` in the body and `trans_id` a JSON number.
 * Hosts are `shop.example`; the `encrypted_*` values stand in for what PayKKa's browser
 * library produces. The merchant id is replaced by the test merchant's before signing.
 */

/** `POST /apis/session`, session_mode HOSTED. */
export const HOSTED_SESSION = `{
    "version": "v1.2",
    "merchant_id": "13954142990646",
    "payment_type": "PURCHASE",
    "trans_id": 1967860,
    "timestamp": 1796196786596,
    "currency": "USD",
    "amount": 2500,
    "notify_url": "https://shop.example/wp-json/paykka/v1/webhook",
    "return_url": "https://shop.example/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=1967860",
    "expire_time": "2026-12-02 15:38:06",
    "session_mode": "HOSTED",
    "display_merchant_name": null,
    "display_locale": null,
    "theme_id": null,
    "capture_method": null,
    "goods": [
        {
            "id": 501,
            "name": "Cotton T-shirt",
            "description": "A shirt",
            "category": null,
            "brand": null,
            "link": "https://shop.example/product/t-shirt",
            "price": 1250,
            "quantity": 2,
            "delivery_date": "",
            "picture_url": ""
        }
    ],
    "bill": {
        "first_name": "Ada",
        "middle_name": null,
        "last_name": "Lovelace",
        "address_line1": "1 Main St",
        "address_line2": "",
        "country": "GB",
        "state": "",
        "city": "London",
        "postal_code": "N1 1AA",
        "email": "ada@example.com",
        "area_code": "+44",
        "phone_number": "2079460000",
        "descriptor": null
    },
    "browser": null,
    "shipping": {
        "first_name": "Ada",
        "middle_name": null,
        "last_name": "Lovelace",
        "address_line1": "1 Main St",
        "address_line2": "",
        "country": "GB",
        "state": "",
        "city": "London",
        "postal_code": "N1 1AA",
        "email": null,
        "area_code": null,
        "phone_number": null
    },
    "customer": {
        "id": 7,
        "registration_time": null,
        "past_transactions": null,
        "area_code": null,
        "phone_number": null,
        "date_of_birth": null,
        "gender": null,
        "first_shopping_time": null,
        "last_shopping_time": null,
        "level": null,
        "email": null,
        "pay_ip": "127.0.0.1",
        "order_ip": "203.0.113.9"
    },
    "payment": {
        "payment_method": null,
        "token_data": null,
        "encrypted_card_no": null,
        "encrypted_exp_year": null,
        "encrypted_exp_month": null,
        "encrypted_cvv": null,
        "holder_name": null,
        "store_payment_method": null,
        "token_usage": null,
        "shopper_reference": null,
        "token": null,
        "card_no": null
    },
    "authentication": null
}`;

/** `POST /apis/payments` with an encrypted BANKCARD card. */
export const BANKCARD_PAYMENT = `{
    "version": "v1.2",
    "merchant_id": "13954142990646",
    "payment_type": "PURCHASE",
    "trans_id": 1967909,
    "timestamp": 1796196790583,
    "currency": "USD",
    "amount": 2500,
    "notify_url": "https://shop.example/wp-json/paykka/v1/webhook",
    "return_url": "https://shop.example/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=1967909",
    "expire_time": "2026-12-02 15:38:10",
    "session_mode": null,
    "display_merchant_name": null,
    "display_locale": null,
    "theme_id": null,
    "capture_method": null,
    "goods": [
        {
            "id": 501,
            "name": "Cotton T-shirt",
            "description": "A shirt",
            "category": null,
            "brand": null,
            "link": "https://shop.example/product/t-shirt",
            "price": 1250,
            "quantity": 2,
            "delivery_date": "",
            "picture_url": ""
        }
    ],
    "bill": {
        "first_name": "Ada",
        "middle_name": null,
        "last_name": "Lovelace",
        "address_line1": "1 Main St",
        "address_line2": "",
        "country": "GB",
        "state": "",
        "city": "London",
        "postal_code": "N1 1AA",
        "email": "ada@example.com",
        "area_code": "+44",
        "phone_number": "2079460000",
        "descriptor": null
    },
    "browser": {
        "user_agent": "",
        "color_depth": "24",
        "language": "en-US",
        "java_enabled": false,
        "device_type": "PC",
        "terminal_type": "WEB",
        "device_os": "WINDOWS",
        "timezone_offset": "+00:00",
        "screen_height": "1080",
        "screen_width": "1920",
        "cookies": "",
        "device_finger_print_id": "b2f1a023997e24bb2c9836032eb7a583"
    },
    "shipping": {
        "first_name": "Ada",
        "middle_name": null,
        "last_name": "Lovelace",
        "address_line1": "1 Main St",
        "address_line2": "",
        "country": "GB",
        "state": "",
        "city": "London",
        "postal_code": "N1 1AA",
        "email": null,
        "area_code": null,
        "phone_number": null
    },
    "customer": {
        "id": 7,
        "registration_time": null,
        "past_transactions": null,
        "area_code": null,
        "phone_number": null,
        "date_of_birth": null,
        "gender": null,
        "first_shopping_time": null,
        "last_shopping_time": null,
        "level": null,
        "email": null,
        "pay_ip": "127.0.0.1",
        "order_ip": "203.0.113.9"
    },
    "payment": {
        "payment_method": "BANKCARD",
        "token_data": null,
        "encrypted_card_no": "eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-card",
        "encrypted_exp_year": "eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-year",
        "encrypted_exp_month": "eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-month",
        "encrypted_cvv": "eyJhbGciOiJSU0EtT0FFUCJ9.fake-ciphertext-cvv",
        "holder_name": null,
        "store_payment_method": null,
        "token_usage": null,
        "shopper_reference": null,
        "token": null,
        "card_no": null
    },
    "authentication": null
}`;

/**
 * `POST /apis/payments` with Google Pay: the card body's bytes but for the trans_id, the times,
 * the device fingerprint and `payment`, whose `token_data` is Google's raw token as a string (a
 * placeholder in the real shape here; tests put a minted token in its place).
 */
export const GOOGLE_PAY_PAYMENT = BANKCARD_PAYMENT.replace('"trans_id": 1967909,', '"trans_id": 1967919,')
  .replace('"timestamp": 1796196790583,', '"timestamp": 1796196791277,')
  .replace('order_id=1967909"', 'order_id=1967919"')
  .replace('"expire_time": "2026-12-02 15:38:10"', '"expire_time": "2026-12-02 15:38:11"')
  .replace('b2f1a023997e24bb2c9836032eb7a583', '9af2d59b358ebc79e2f062c30aae7365')
  .replace('"payment_method": "BANKCARD"', '"payment_method": "GOOGLE_PAY"')
  .replace(
    '"token_data": null',
    String.raw`"token_data": "{\"signature\":\"MEUCIQ...\",\"intermediateSigningKey\":{\"signedKey\":\"{...}\",\"signatures\":[\"MEQ...\"]},\"protocolVersion\":\"ECv2\",\"signedMessage\":\"{\\\"encryptedMessage\\\":\\\"...\\\",\\\"ephemeralPublicKey\\\":\\\"...\\\",\\\"tag\\\":\\\"...\\\"}\"}"`,
  )
  .replace(/"encrypted_(card_no|exp_year|exp_month|cvv)": "[^"]*"/g, '"encrypted_$1": null');
