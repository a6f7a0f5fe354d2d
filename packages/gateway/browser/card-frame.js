/*
 * The card frame's script, served as /cp/card-frame.js. It runs inside the iframe that
 * /cp/card-checkout-ui.js puts on the merchant's page, on the gateway's origin: the card is
 * typed here and sent from here to the gateway, never to the merchant's page.
 *
 * It talks to the merchant's page with postMessage, and only with it: every message goes to
 * the one origin the frame was opened for (which is also the only origin allowed to frame it,
 * by its Content-Security-Policy), and a message is read only if it comes from that origin and
 * from the parent window. What it sends is the outcome (status, ids, the return URL), the
 * names of fields to correct and the frame's height; never a value the shopper typed.
 *
 * The file is static; its settings come from the page's JSON block (#frame-config).
 */
(() => {
  const config = JSON.parse(document.getElementById('frame-config').textContent);
  const text = config.text;
  const framed = window.parent !== window;
  const post = (message) => {
    if (framed && config.parent)
      window.parent.postMessage({ source: 'openkka-frame', ...message }, config.parent);
  };
  const note = document.getElementById('frame-message');
  const say = (message) => {
    if (note) note.textContent = message || '';
  };

  // The library sizes the iframe to the frame's content.
  let height = 0;
  const resize = () => {
    const now = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (now !== height) {
      height = now;
      post({ type: 'resize', height });
    }
  };
  new ResizeObserver(resize).observe(document.documentElement);
  resize();

  if (config.closed) {
    post(
      config.closed === 'expired'
        ? { type: 'expired' }
        : { type: 'init-error', code: config.closed.toUpperCase(), message: note ? note.textContent : '' },
    );
    return;
  }

  const buttons = () => document.querySelectorAll('button');
  let busy = false;
  let closed = false;
  // The last outcome, told again if the library asks to pay a payment that is already made.
  let told;
  const lock = (locked) => {
    for (const button of buttons()) button.disabled = locked;
  };
  const close = (message) => {
    closed = true;
    lock(true);
    say(message);
  };

  // The deadline, by the gateway's clock when the frame was made: the frame closes itself.
  setTimeout(() => {
    if (busy || closed) return;
    close(text.expiredBody);
    post({ type: 'expired' });
  }, config.expires_in_ms);

  const showErrors = (errors) => {
    for (const [field, problem] of Object.entries(errors)) {
      const out = document.getElementById(`${field}-error`);
      const input = document.getElementById(field);
      const message = text.errors[field]?.[problem] || '';
      if (out) out.textContent = message;
      else say(message);
      if (input) input.setAttribute('aria-invalid', 'true');
    }
  };

  const pay = async (form) => {
    const data = new FormData(form);
    const field = (name) => (data.get(name) === null ? '' : String(data.get(name)));
    const method = field('method');
    busy = true;
    lock(true);
    say('');
    post({ type: 'submit', paymentMethod: method });
    let answer;
    try {
      const response = await fetch(config.pay, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          client_key: config.client_key,
          method,
          card_no: field('card_no'),
          exp: field('exp'),
          cvv: field('cvv'),
          holder_name: field('holder_name'),
          consent: data.get('consent') !== null,
          lang: config.locale,
        }),
        signal: AbortSignal.timeout(60_000),
      });
      answer = await response.json();
    } catch (err) {
      busy = false;
      lock(false);
      say(text.tryAgain);
      post(
        err && err.name === 'TimeoutError' ? { type: 'timeout' } : { type: 'error', code: 'NETWORK_ERROR' },
      );
      return;
    }
    busy = false;
    if (answer.ret_code !== '000000' || !answer.data) {
      close(text.missingBody);
      post({ type: 'error', code: String(answer.ret_code), message: String(answer.ret_msg) });
      return;
    }
    const outcome = answer.data;
    if (outcome.result === 'invalid') {
      lock(false);
      showErrors(outcome.errors);
      say(text.formError);
      post({ type: 'invalid', fields: Object.keys(outcome.errors) });
    } else if (outcome.result === 'action') {
      // 3-D Secure or a bank page: the whole window goes there, and comes back to return_url.
      closed = true;
      told = { type: 'redirect', url: outcome.url };
      post(told);
    } else if (outcome.result === 'done') {
      closed = true;
      told = { type: 'done', payment: outcome.payment };
      post(told);
    } else if (outcome.status === 'EXPIRED') {
      close(text.expiredBody);
      post({ type: 'expired' });
    } else {
      close(outcome.status === 'CANCELED' ? text.canceledBody : text.unavailableBody);
      post({ type: 'error', code: `SESSION_${outcome.status}`, message: note ? note.textContent : '' });
    }
  };

  // Each form's own checks run first (the card form's script); a stopped submit is not sent.
  document.addEventListener('submit', (event) => {
    const form = event.target;
    if (event.defaultPrevented) {
      const fields = [...form.querySelectorAll('[aria-invalid="true"]')].map((input) => input.id);
      post({ type: 'invalid', fields });
      return;
    }
    event.preventDefault();
    if (busy || closed) return;
    pay(form);
  });

  // The library's card.ref.payment(): press the card form's button for the shopper.
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || event.origin !== config.parent) return;
    const message = event.data;
    if (message?.source !== 'openkka-library' || message.type !== 'pay') return;
    const form = document.getElementById('card-form');
    if (!form) post({ type: 'error', code: 'NO_CARD_FORM', message: 'this frame has no card form' });
    else if (closed && told) post(told);
    else if (closed) post({ type: 'error', code: 'CLOSED', message: note ? note.textContent : '' });
    // One in flight already: its outcome answers this call too.
    else if (!busy) form.requestSubmit();
  });

  post({ type: 'ready', methods: config.methods });
})();
