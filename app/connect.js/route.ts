export const dynamic = 'force-static';

/**
 * The partner's popup helper (README, "Popup mode"): a page loads
 * `<script src="https://mailport.example.com/connect.js">` and calls
 * `Mailport.connect({ token })` for a token created with mode=popup. The promise
 * resolves with `{ contextio_token }`, or rejects with an Error whose `code` is
 * `cancelled` (the user cancelled or closed the popup) or `error` (the token
 * expired, the popup was blocked). Only a message from our origin, from that
 * popup, about that token counts; our finish page posts only to the origin of
 * the token's callback_url, so any other page that opens the flow hears nothing.
 * Plain ES5 in a string: it runs on the partner's page, outside our bundle.
 */
const SCRIPT = `(function () {
  'use strict';
  var current = document.currentScript;
  var home = current && current.src ? new URL(current.src).origin : '';
  var TOKEN = /^[0-9a-z]{16}$/;

  function failure(code, reason) {
    var error = new Error('Mailport connect: ' + reason);
    error.code = code;
    error.reason = reason;
    return error;
  }

  function connect(options) {
    return new Promise(function (resolve, reject) {
      var token = options && options.token;
      if (typeof token !== 'string' || !TOKEN.test(token)) return reject(failure('error', 'invalid_token'));
      var origin = options.origin ? new URL(options.origin).origin : home;
      var width = 480;
      var height = 720;
      var left = Math.max(0, (window.screenX || 0) + ((window.outerWidth || width) - width) / 2);
      var top = Math.max(0, (window.screenY || 0) + ((window.outerHeight || height) - height) / 2);
      var popup = window.open(
        origin + '/connect/' + token,
        'mailport-' + token,
        'popup,width=' + width + ',height=' + height + ',left=' + left + ',top=' + top
      );
      if (!popup) return reject(failure('error', 'popup_blocked'));
      var settled = false;
      var watch;
      function settle(ok, value) {
        if (settled) return;
        settled = true;
        window.removeEventListener('message', onMessage);
        clearInterval(watch);
        (ok ? resolve : reject)(value);
      }
      function onMessage(event) {
        if (event.origin !== origin || event.source !== popup) return;
        var data = event.data;
        if (!data || data.source !== 'mailport' || data.contextio_token !== token) return;
        if (data.type === 'connected') settle(true, { contextio_token: token });
        else if (data.type === 'cancelled') settle(false, failure('cancelled', 'cancelled'));
        else settle(false, failure('error', String(data.error || 'error')));
      }
      window.addEventListener('message', onMessage);
      // Closed without a word: cancelled. A last message may still be queued, so decide a moment later.
      watch = setInterval(function () {
        if (popup.closed) {
          clearInterval(watch);
          setTimeout(function () { settle(false, failure('cancelled', 'closed')); }, 500);
        }
      }, 300);
    });
  }

  window.Mailport = Object.freeze({ connect: connect });
})();
`;

export function GET(): Response {
  return new Response(SCRIPT, {
    headers: {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300',
      // Partner pages load it from their origin; a page with COEP needs this to.
      'cross-origin-resource-policy': 'cross-origin',
    },
  });
}
