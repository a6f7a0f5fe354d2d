/**
 * Request bodies of PayKKa's current (v3) WooCommerce plugin, as it sends them: its session body
 * is pretty-printed with four spaces, slashes unescaped, nested nulls kept. Taken from a sample
 * shop order (hosts are shop.example); the merchant id is replaced by the test merchant's.
 */

/** The merchant id the sample was made for. */
export const PLUGIN_MERCHANT_ID = '98787346416522';

/** When the plugin sent the HOSTED session below (its expire_time is an hour later, +0800). */
export const HOSTED_SESSION_SENT_AT = 1796202146681;

export const HOSTED_SESSION = `{
    "merchant_id": "98787346416522",
    "payment_type": "PURCHASE",
    "trans_id": "101c20261202090226455",
    "currency": "USD",
    "amount": 2500,
    "notify_url": "https://shop.example/wp-json/paykka/v1/webhook",
    "return_url": "https://shop.example/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=101",
    "cancel_url": "https://shop.example/?wc-api=WC_Gateway_Paykka_Payment_callback&order_id=101",
    "expire_time": "2026-12-02T18:02:26+0800",
    "session_mode": "HOSTED",
    "capture_method": "AUTOMATIC",
    "goods": [
        {
            "id": 501,
            "name": "Cotton T-shirt",
            "description": "<p>A plain <strong>cotton</strong> shirt</p>",
            "category": null,
            "brand": null,
            "link": "https://shop.example/product/t-shirt/",
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
        "area_code": "+44",
        "phone_number": "2079460000"
    },
    "customer": {
        "id": "7",
        "registration_time": null,
        "past_transactions": null,
        "area_code": null,
        "phone_number": null,
        "date_of_birth": null,
        "gender": null,
        "first_shopping_time": null,
        "last_shopping_time": null,
        "level": null,
        "email": "ada@example.com",
        "pay_ip": "203.0.113.9",
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
    }
}`;
