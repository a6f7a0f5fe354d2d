/*
 * openkka's encrypted-card library, served as /cp/encrypted-card.js. It runs in the shopper's
 * browser on the merchant's page: it draws the card number, expiry and security code inputs
 * into the page's [data-eci=cardNumber], [data-eci=expiryDate] and [data-eci=securityCode]
 * elements, checks what was typed, and encrypts the card with WebCrypto to the gateway key
 * of the merchant's client key (GET /cp/keys/<clientKey> on the gateway), so the merchant's
 * server only ever sees ciphertext it can pass on to /payments.
 *
 * The format is the per-card layout of the SDK's card-encryption.ts (docs/card-encryption.md):
 * one JWE, ECDH-ES with A256GCM, holding the whole card, handed out as each of the four fields.
 * It agrees on X25519 where the browser's WebCrypto has it (the gateway's cheaper half), else
 * on P-256.
 *
 * The file is static: no value of any request is written into it. It compiles no strings
 * into code, builds its elements with createElement and textContent (never markup from
 * strings), and sets styles through the CSSOM, so it runs under a strict
 * Content-Security-Policy. Its inputs carry no `name`: a form that wraps them
 * never submits the plain card to the merchant's server.
 */
(() => {
  /** 2: the card as one JWE in every field (1 made a JWE per field). */
  const VERSION = '2';
  /** A fetched key is used for this long, then fetched again (the gateway may have rotated it). */
  const KEY_MAX_AGE_MS = 5 * 60 * 1000;
  const FIELDS = {
    cardNumber: { label: 'Card number', placeholder: '1234 1234 1234 1234', autocomplete: 'cc-number' },
    expiryDate: { label: 'Expiry date', placeholder: 'MM / YY', autocomplete: 'cc-exp' },
    securityCode: { label: 'Security code', placeholder: 'CVC', autocomplete: 'cc-csc' },
  };

  // Where this file was loaded from: the gateway, unless setEnv says otherwise.
  const script = document.currentScript;
  const loadedFrom = script?.src ? new URL(script.src, location.href).origin : location.origin;
  const env = { apiUrl: loadedFrom, cdnUrl: loadedFrom };

  class EncryptedCardError extends Error {
    constructor(code, message, fields) {
      super(message);
      this.name = 'EncryptedCardError';
      this.code = code;
      if (fields) this.fields = fields;
    }
  }

  const digits = (value) => value.replace(/\D/g, '');
  const isAmex = (pan) => /^3[47]/.test(pan);
  const luhn = (pan) => {
    let sum = 0;
    let double = false;
    for (let i = pan.length - 1; i >= 0; i--) {
      let d = pan.charCodeAt(i) - 48;
      if (double) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      double = !double;
    }
    return sum % 10 === 0;
  };

  const base64url = (bytes) => {
    let text = '';
    for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const utf8 = (text) => new TextEncoder().encode(text);
  const uint32 = (n) => new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };

  /** Concat KDF (RFC 7518 §4.6.2) for A256GCM, empty PartyUInfo and PartyVInfo: one SHA-256 round. */
  const contentKey = async (sharedSecret) => {
    const alg = utf8('A256GCM');
    const otherInfo = concat(uint32(alg.length), alg, uint32(0), uint32(0), uint32(256));
    const digest = await crypto.subtle.digest(
      'SHA-256',
      concat(uint32(1), new Uint8Array(sharedSecret), otherInfo),
    );
    return crypto.subtle.importKey('raw', digest, { name: 'AES-GCM' }, false, ['encrypt']);
  };

  const X25519 = { name: 'X25519' };
  const P256 = { name: 'ECDH', namedCurve: 'P-256' };

  /** Whether this browser's WebCrypto does X25519 (asked once, by making a throw-away key). */
  let x25519Support;
  const hasX25519 = () => {
    x25519Support ??= crypto.subtle.generateKey(X25519, false, ['deriveBits']).then(
      () => true,
      () => false,
    );
    return x25519Support;
  };

  /** Of the halves the gateway offers (preferred first), the first this browser can use. */
  const chooseKey = async (data) => {
    const offered = Array.isArray(data.keys) ? data.keys : [data.key];
    const x25519 = await hasX25519();
    return offered.find((k) => k && (k.crv === 'P-256' || (k.crv === 'X25519' && x25519)));
  };

  /**
   * The card as one JWE (ECDH-ES, A256GCM) holding every value, the time and the client key:
   * the gateway opens one JWE per payment, and each of the four fields carries it.
   */
  const encryptCard = async (key, clientKey, generatedAt, card) => {
    const onX25519 = key.crv === 'X25519';
    const curve = onX25519 ? X25519 : P256;
    const gateway = await crypto.subtle.importKey(
      'jwk',
      onX25519
        ? { kty: 'OKP', crv: 'X25519', x: key.x, ext: true }
        : { kty: 'EC', crv: 'P-256', x: key.x, y: key.y, ext: true },
      curve,
      false,
      [],
    );
    const ephemeral = await crypto.subtle.generateKey(curve, true, ['deriveBits']);
    const epk = await crypto.subtle.exportKey('jwk', ephemeral.publicKey);
    const header = {
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      kid: key.kid,
      epk: onX25519
        ? { kty: 'OKP', crv: 'X25519', x: epk.x }
        : { kty: 'EC', crv: 'P-256', x: epk.x, y: epk.y },
    };
    const protectedB64 = base64url(utf8(JSON.stringify(header)));
    const secret = await crypto.subtle.deriveBits(
      { name: curve.name, public: gateway },
      ephemeral.privateKey,
      256,
    );
    const cek = await contentKey(secret);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const payload = JSON.stringify({ ...card, generated_at: generatedAt, client_key: clientKey });
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: utf8(protectedB64), tagLength: 128 },
        cek,
        utf8(payload),
      ),
    );
    const tagAt = sealed.length - 16;
    return [
      protectedB64,
      '',
      base64url(iv),
      base64url(sealed.subarray(0, tagAt)),
      base64url(sealed.subarray(tagAt)),
    ].join('.');
  };

  /** The gateway key for a client key, and the gateway's clock (the fields carry its time, not the shopper's). */
  const fetchKey = async (clientKey) => {
    let response;
    let body;
    try {
      response = await fetch(`${env.apiUrl}/cp/keys/${encodeURIComponent(clientKey)}`, {
        credentials: 'omit',
        cache: 'no-store',
      });
      body = await response.json();
    } catch (err) {
      throw new EncryptedCardError('KEY_UNAVAILABLE', `the gateway key could not be fetched: ${err.message}`);
    }
    if (!response.ok || body.ret_code !== '000000' || !body.data || !body.data.key) {
      throw new EncryptedCardError(
        'KEY_UNAVAILABLE',
        `the gateway refused the client key: ${body?.ret_code} ${body?.ret_msg}`,
      );
    }
    const key = await chooseKey(body.data);
    if (!key)
      throw new EncryptedCardError('KEY_UNAVAILABLE', 'the gateway offers no key this browser can use');
    return { key, offsetMs: body.data.timestamp - Date.now(), fetchedAt: Date.now() };
  };

  const applyStyle = (element, style) => {
    if (!style || typeof style !== 'object') return;
    for (const [name, value] of Object.entries(style)) {
      const property = name.includes('-') ? name : name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      element.style.setProperty(property, String(value));
    }
  };

  let serial = 0;

  class EncryptedCard {
    constructor(options) {
      if (!options || typeof options.clientKey !== 'string' || options.clientKey === '') {
        throw new EncryptedCardError('INVALID_OPTIONS', 'init needs the merchant clientKey');
      }
      this.options = options;
      this.inputs = {};
      this.styles = options.styles || {};
      this.key = undefined;
      this.render();
      // Fetched now, so encrypt() rarely waits; a failure here is reported by encrypt().
      this.fetchKeySoon();
    }

    fetchKeySoon() {
      this.keyRequest = fetchKey(this.options.clientKey).then((key) => {
        this.key = key;
        return key;
      });
      this.keyRequest.catch(() => undefined);
    }

    render() {
      const id = ++serial;
      for (const [field, text] of Object.entries(FIELDS)) {
        const host = document.querySelector(`[data-eci="${field}"]`);
        if (!host)
          throw new EncryptedCardError('INVALID_OPTIONS', `the page has no [data-eci=${field}] element`);
        host.replaceChildren();
        const input = document.createElement('input');
        input.id = `eci-${field}-${id}`;
        input.type = 'text';
        input.inputMode = 'numeric';
        input.autocomplete = text.autocomplete;
        input.placeholder = text.placeholder;
        input.spellcheck = false;
        input.setAttribute('data-eci-input', field);
        input.setAttribute('aria-invalid', 'false');
        if (this.options.showLabel) {
          const label = document.createElement('label');
          label.htmlFor = input.id;
          label.textContent = text.label;
          applyStyle(label, this.styles.label);
          host.append(label);
        } else {
          input.setAttribute('aria-label', text.label);
        }
        applyStyle(input, this.styles.base);
        input.addEventListener('focus', () => applyStyle(input, this.styles.focus));
        input.addEventListener('blur', () => {
          applyStyle(input, this.styles.base);
          if (input.getAttribute('aria-invalid') === 'true') applyStyle(input, this.styles.invalid);
        });
        input.addEventListener('input', (event) => {
          this.format(field, input, event);
          this.mark(field, false);
        });
        host.append(input);
        this.inputs[field] = input;
      }
    }

    format(field, input, event) {
      if (field === 'cardNumber') {
        const pan = digits(input.value).slice(0, 19);
        const groups = isAmex(pan) ? [4, 6, 5] : [4, 4, 4, 4, 3];
        const parts = [];
        let at = 0;
        for (const g of groups) {
          if (at >= pan.length) break;
          parts.push(pan.slice(at, at + g));
          at += g;
        }
        input.value = parts.join(' ');
      } else if (field === 'expiryDate') {
        const d = digits(input.value).slice(0, 4);
        const deleting = event.inputType?.startsWith('delete');
        input.value = d.length > 2 || (d.length === 2 && !deleting) ? `${d.slice(0, 2)} / ${d.slice(2)}` : d;
      } else {
        input.value = digits(input.value).slice(0, 4);
      }
    }

    mark(field, invalid) {
      const input = this.inputs[field];
      input.setAttribute('aria-invalid', invalid ? 'true' : 'false');
      applyStyle(input, this.styles.base);
      if (invalid) applyStyle(input, this.styles.invalid);
    }

    /** What is wrong with what was typed, per field: 'required' or 'invalid' (or 'expired'). */
    check(now) {
      const pan = digits(this.inputs.cardNumber.value);
      const expiry = digits(this.inputs.expiryDate.value);
      const cvv = this.inputs.securityCode.value;
      const problems = {};
      if (pan === '') problems.cardNumber = 'required';
      else if (pan.length < 12 || pan.length > 19 || !luhn(pan) || (isAmex(pan) && pan.length !== 15)) {
        problems.cardNumber = 'invalid';
      }
      const month = Number(expiry.slice(0, 2));
      const year = 2000 + Number(expiry.slice(2));
      if (expiry === '') problems.expiryDate = 'required';
      else if (expiry.length !== 4 || month < 1 || month > 12) problems.expiryDate = 'invalid';
      // Valid through the last day of its month, in UTC, as the gateway reads it.
      else if (now >= Date.UTC(year, month, 1)) problems.expiryDate = 'expired';
      if (cvv === '') problems.securityCode = 'required';
      else if (!(isAmex(pan) ? /^\d{4}$/ : /^\d{3}$/).test(cvv)) problems.securityCode = 'invalid';
      return { problems, values: { pan, month, year, cvv } };
    }

    async currentKey() {
      if (this.key && Date.now() - this.key.fetchedAt > KEY_MAX_AGE_MS) this.fetchKeySoon();
      try {
        return await this.keyRequest;
      } catch (err) {
        // The next encrypt() tries again.
        this.fetchKeySoon();
        throw err;
      }
    }

    async encrypt() {
      if (!globalThis.crypto || !crypto.subtle) {
        throw new EncryptedCardError(
          'CRYPTO_UNAVAILABLE',
          'WebCrypto is not available: the page must be served over HTTPS (or from localhost)',
        );
      }
      // Checked first, with the gateway's clock when its key has arrived (it normally has).
      const { problems, values } = this.check(Date.now() + (this.key ? this.key.offsetMs : 0));
      for (const field of Object.keys(FIELDS)) this.mark(field, field in problems);
      if (Object.keys(problems).length > 0) {
        const error = new EncryptedCardError(
          'INVALID_FIELDS',
          'the card details are incomplete or invalid',
          problems,
        );
        this.inputs[Object.keys(problems)[0]].focus();
        if (typeof this.options.onError === 'function') this.options.onError(error);
        throw error;
      }
      let key;
      try {
        key = await this.currentKey();
      } catch (err) {
        if (typeof this.options.onError === 'function') this.options.onError(err);
        throw err;
      }
      const jwe = await encryptCard(key.key, this.options.clientKey, Date.now() + key.offsetMs, {
        card_no: values.pan,
        exp_month: String(values.month).padStart(2, '0'),
        exp_year: String(values.year),
        cvv: values.cvv,
      });
      const result = {
        encryptedCardNumber: jwe,
        encryptedExpireYear: jwe,
        encryptedExpireMonth: jwe,
        encryptedCVV: jwe,
      };
      if (typeof this.options.onCardEncrypted === 'function') this.options.onCardEncrypted(result);
      return result;
    }

    /** Empties the three inputs (after a payment went through, say). */
    clear() {
      for (const field of Object.keys(FIELDS)) {
        this.inputs[field].value = '';
        this.mark(field, false);
      }
    }
  }

  let last;
  const library = {
    version: VERSION,
    EncryptedCardError,
    /** Where the gateway is: `apiUrl` (its /cp/keys answers); `cdnUrl` is accepted and not needed. */
    setEnv(options) {
      if (options && typeof options.apiUrl === 'string' && options.apiUrl !== '') {
        env.apiUrl = options.apiUrl.replace(/\/+$/, '');
      }
      if (options && typeof options.cdnUrl === 'string') env.cdnUrl = options.cdnUrl;
    },
    /** Accepted for PayKKa compatibility; openkka runs no fraud-detection script. */
    setFraudDetectionEnv() {},
    init(options) {
      last = new EncryptedCard(options);
      return last;
    },
    /** encrypt() of the last init(). */
    encrypt() {
      if (!last) return Promise.reject(new EncryptedCardError('NOT_INITIALISED', 'call init() first'));
      return last.encrypt();
    },
  };
  globalThis.PayKKaCardCheckoutEncryptedCard = library;
  globalThis.PaykkaCardCheckoutEncryptedCard = library;
})();
