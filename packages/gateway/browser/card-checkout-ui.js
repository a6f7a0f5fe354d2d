/*
 * openkka's checkout library, served as /cp/card-checkout-ui.js: the API a PayKKa drop-in or
 * embedded integration calls (global PayKKaCardCheckoutUI), on openkka. It runs on the
 * merchant's page and never sees the card: mount() puts an iframe from the gateway's origin
 * in the page, the shopper types the card there, and the frame pays. This file only creates
 * the frame, sizes it, and turns the frame's messages into the integration's callbacks.
 *
 * Messages are read only from the frame this library made (its window and the gateway's
 * origin), and sent only to the gateway's origin. The file is static and builds its elements
 * with createElement, so it runs under a strict Content-Security-Policy.
 * The options and callbacks are described in docs/browser-library.md.
 */
(() => {
  // The gateway is where this file came from: every env (sandbox, eu, hk) means this openkka.
  const script = document.currentScript;
  const loadedFrom = script?.src ? new URL(script.src, location.href).origin : location.origin;
  let apiUrl = loadedFrom;
  const ENVS = ['sandbox', 'eu', 'hk', 'production'];
  const INIT_TIMEOUT_MS = 30_000;

  class CheckoutError extends Error {
    constructor(code, message) {
      super(message);
      this.name = 'PayKKaCheckoutError';
      this.code = code;
    }
  }

  /** `http(s)://…` only: anything else (javascript:, data:) is never navigated to. */
  const httpUrl = (value) => {
    if (typeof value !== 'string' || !URL.canParse(value, location.href)) return undefined;
    const url = new URL(value, location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  };
  const originOf = (value) => httpUrl(value)?.origin;

  class PayKKaCheckout {
    constructor(options = {}) {
      this.options = options;
      this.components = [];
      this.session = undefined;
      // env and _envConfig name PayKKa's hosts; on openkka they all mean the gateway that
      // served this file (or setApiUrl's), so an unmodified integration talks to it alone.
      this.origin = apiUrl;
    }

    /** Calls the integration's callback `name`; one that throws does not stop the library. */
    call(name, arg, component) {
      const own = component?.options?.[name];
      const callback = typeof own === 'function' ? own : this.options[name];
      if (typeof callback !== 'function') return false;
      try {
        callback(arg);
      } catch (err) {
        setTimeout(() => {
          throw err;
        });
      }
      return true;
    }

    fail(code, message, callback = 'onInitError') {
      const error = new CheckoutError(code, message);
      this.call(callback, { code, message });
      throw error;
    }

    /** Checks the options and the session; resolves once the payment methods are known. */
    async init() {
      const { sessionId, clientKey, env, returnUrl, locale } = this.options;
      if (typeof sessionId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(sessionId))
        this.fail('INVALID_OPTION', 'sessionId must be the session_id the session create answered');
      if (typeof clientKey !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(clientKey))
        this.fail('INVALID_OPTION', "clientKey must be the merchant's client key");
      if (env !== undefined && !ENVS.includes(env))
        this.fail('INVALID_OPTION', `env must be one of ${ENVS.join(', ')}`);
      if (returnUrl !== undefined && !httpUrl(returnUrl))
        this.fail('INVALID_OPTION', 'returnUrl must be an http(s) URL');
      if (
        locale !== undefined &&
        (typeof locale !== 'string' || !/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8})*$/.test(locale))
      )
        this.fail('INVALID_OPTION', 'locale must be a language tag such as en or zh-CN');
      if (location.origin === 'null') this.fail('INVALID_PAGE', 'the page must be served over http(s)');

      const url = `${this.origin}/cp/sessions/${encodeURIComponent(sessionId)}?client_key=${encodeURIComponent(clientKey)}`;
      let answer;
      try {
        const response = await fetch(url, {
          credentials: 'omit',
          signal: AbortSignal.timeout(Number(this.options.timeout) || INIT_TIMEOUT_MS),
        });
        answer = await response.json();
      } catch (err) {
        if (err?.name === 'TimeoutError')
          this.fail('TIMEOUT', 'the gateway did not answer in time', 'onTimeout');
        this.fail('NETWORK_ERROR', 'the gateway could not be reached');
      }
      if (answer.ret_code !== '000000') this.fail(String(answer.ret_code), String(answer.ret_msg));
      const session = answer.data;
      if (session.status === 'EXPIRED') this.fail('SESSION_EXPIRED', 'the session has expired', 'onExpired');
      if (session.status !== 'OPEN')
        this.fail(`SESSION_${session.status}`, `the session is ${session.status}`);
      this.session = session;
      this.call('onPaymentMethodsReady', session.payment_methods.slice());
      return this;
    }

    /** A component of this checkout: `create(PayKKaCardCheckoutUI.Card, options)`. */
    create(Type, options = {}) {
      if (Type !== Card && Type !== DropIn && Type !== ApplePay && Type !== GooglePay)
        throw new TypeError('create() takes PayKKaCardCheckoutUI.Card, DropIn, ApplePay or GooglePay');
      const component = new Type(this, options);
      this.components.push(component);
      return component;
    }

    destroy() {
      for (const component of this.components.splice(0)) component.unmount();
    }
  }

  /** Card and DropIn: the card frame, with (DropIn) or without the session's other methods. */
  class FrameComponent {
    constructor(checkout, options, kind) {
      this.checkout = checkout;
      this.options = options;
      this.kind = kind;
      this.frame = undefined;
      this.pending = undefined;
      this.listener = undefined;
      // PayKKa integrations press pay through `component.ref.payment()`.
      this.ref = { payment: () => this.payment() };
    }

    mount(target) {
      const host = typeof target === 'string' ? document.querySelector(target) : target;
      if (!(host instanceof Element))
        throw new TypeError('mount() takes an element or a selector that finds one');
      const { checkout } = this;
      if (!checkout.session)
        throw new CheckoutError('NOT_INITIALISED', 'call init() and wait for it before mount()');
      this.unmount();
      // PayKKa integrations pass hidePaymentButton to the checkout, the component, or both.
      const hide = this.options.hidePaymentButton ?? checkout.options.hidePaymentButton;
      const query = new URLSearchParams({
        client_key: checkout.options.clientKey,
        origin: location.origin,
        component: this.kind,
        button: hide ? '0' : '1',
      });
      if (checkout.options.locale) query.set('locale', checkout.options.locale);
      const frame = document.createElement('iframe');
      frame.src = `${checkout.origin}/cp/frame/${encodeURIComponent(checkout.session.session_id)}?${query}`;
      frame.title = this.options.title || 'Card payment';
      frame.className = 'paykka-checkout-frame';
      frame.setAttribute('scrolling', 'no');
      // Its own origin, scripts and forms; no top navigation, popups or downloads of its own.
      frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms');
      frame.setAttribute('referrerpolicy', 'no-referrer');
      this.listener = (event) => {
        if (event.source !== frame.contentWindow || event.origin !== checkout.origin) return;
        if (event.data?.source !== 'openkka-frame') return;
        this.receive(event.data);
      };
      window.addEventListener('message', this.listener);
      host.appendChild(frame);
      this.frame = frame;
      return this;
    }

    unmount() {
      if (this.listener) window.removeEventListener('message', this.listener);
      this.frame?.remove();
      this.frame = undefined;
      this.listener = undefined;
    }

    /** Pays with what the shopper typed; resolves with the payment, rejects with its error. */
    payment() {
      if (!this.frame) return Promise.reject(new CheckoutError('NOT_MOUNTED', 'mount() the component first'));
      if (!this.pending) {
        this.pending = {};
        this.pending.promise = new Promise((resolve, reject) => {
          this.pending.resolve = resolve;
          this.pending.reject = reject;
        });
        this.frame.contentWindow.postMessage(
          { source: 'openkka-library', type: 'pay' },
          this.checkout.origin,
        );
      }
      return this.pending.promise;
    }

    settle(outcome, value) {
      const pending = this.pending;
      this.pending = undefined;
      if (!pending) return;
      if (outcome === 'resolve') pending.resolve(value);
      else pending.reject(value);
    }

    receive(message) {
      const { checkout } = this;
      const go = (url) => {
        const target = httpUrl(url);
        if (target) location.assign(target.href);
      };
      switch (message.type) {
        case 'resize':
          if (this.frame && Number.isFinite(message.height)) this.frame.style.height = `${message.height}px`;
          break;
        case 'ready':
          checkout.call('onReady', { methods: message.methods }, this);
          break;
        case 'submit':
          checkout.call('onSubmit', { paymentMethod: String(message.paymentMethod) }, this);
          break;
        case 'invalid':
          this.settle('reject', new CheckoutError('INVALID_FIELDS', `check ${message.fields.join(', ')}`));
          break;
        case 'redirect':
          // 3-D Secure or a bank page: the shopper comes back to the session's return_url.
          this.settle('resolve', { action: 'redirect', url: message.url });
          go(message.url);
          break;
        case 'done': {
          const p = message.payment;
          const payload = {
            sessionId: p.session_id,
            transId: p.trans_id,
            orderId: p.order_id,
            status: p.status,
            paymentMethod: p.payment_method,
            errorCode: p.error_code,
            errorMessage: p.error_description,
            returnUrl: p.return_url,
          };
          const paid = p.status === 'SUCCESS' || p.status === 'AUTHORIZED' || p.status === 'PROCESSING';
          if (paid) {
            this.settle('resolve', payload);
            if (!checkout.call('onSuccess', payload, this)) go(payload.returnUrl);
          } else {
            this.settle(
              'reject',
              Object.assign(new CheckoutError('PAYMENT_FAILED', p.error_description), payload),
            );
            if (
              !checkout.call(
                'onError',
                { code: 'PAYMENT_FAILED', message: p.error_description, ...payload },
                this,
              )
            )
              go(payload.returnUrl);
          }
          break;
        }
        case 'expired':
          this.settle('reject', new CheckoutError('SESSION_EXPIRED', 'the session has expired'));
          checkout.call('onExpired', { sessionId: checkout.session.session_id }, this);
          break;
        case 'timeout':
          this.settle('reject', new CheckoutError('TIMEOUT', 'the payment got no answer in time'));
          checkout.call('onTimeout', { sessionId: checkout.session.session_id }, this);
          break;
        case 'init-error':
          this.settle('reject', new CheckoutError(String(message.code), String(message.message)));
          checkout.call(
            'onInitError',
            { code: String(message.code), message: String(message.message) },
            this,
          );
          break;
        case 'error':
          this.settle('reject', new CheckoutError(String(message.code), String(message.message || '')));
          checkout.call(
            'onError',
            { code: String(message.code), message: String(message.message || '') },
            this,
          );
          break;
        default:
          break;
      }
    }
  }

  class Card extends FrameComponent {
    constructor(checkout, options) {
      super(checkout, options, 'card');
    }
  }

  class DropIn extends FrameComponent {
    constructor(checkout, options) {
      super(checkout, options, 'dropin');
    }
  }

  /**
   * Wallet buttons: openkka's sessions offer no wallet on a page (Apple Pay and Google Pay are
   * paid through /payments), so these draw nothing and report themselves unavailable.
   */
  class WalletComponent {
    constructor(checkout, options) {
      this.checkout = checkout;
      this.options = options;
      this.available = false;
      this.ref = {
        payment: () => Promise.reject(new CheckoutError('NOT_AVAILABLE', 'no wallet on this session')),
      };
    }
    mount() {
      return this;
    }
    unmount() {}
  }
  class ApplePay extends WalletComponent {}
  class GooglePay extends WalletComponent {}

  window.PayKKaCardCheckoutUI = {
    PayKKaCheckout,
    Card,
    DropIn,
    ApplePay,
    GooglePay,
    /** Points the library at another openkka than the one that served it. */
    setApiUrl(url) {
      const origin = originOf(url);
      if (!origin) throw new TypeError('setApiUrl() takes an http(s) URL');
      apiUrl = origin;
    },
    // PayKKa's CDN and fraud-detection settings have nothing to set on openkka.
    setCDNUrl() {},
    setFraudDetectionEnv() {},
    version: '1',
  };
})();
