// The dashboards page's sign-in (issue 12), kept apart from the figures (dashboard.js).
//
// How the page signs in is the gateway's to say (config.json, from CONCORD_OIDC_*):
// - "oidc": the identity provider's OpenID Connect sign-in, Authorization Code with PKCE for a
//   public client, by oidc-client-ts (vendor/oidc-client-ts.min.js, shipped by the gateway).
//   The provider redirects back to this page (redirect URI: the page's own address, e.g.
//   https://concord.example.org/dashboard/); its access token, a JWT with Concord's claims, is
//   the bearer token sent to /graphql. When it expires the page asks to sign in again.
// - "token" (development): a token pasted in (`make token`), or handed over as #token=….
//
// Either way the bearer token sits in sessionStorage under TOKEN_KEY, where dashboard.js reads
// it. window.ConcordSignIn = { ready, mode, problem, signIn(hash), signOut(), forget() }; on an
// expired session it fires `concord:signed-out` on window.
(function () {
  'use strict';

  const TOKEN_KEY = 'concord.dashboard.token';
  const api = {
    mode: 'token',
    problem: '', // an i18n key (or text) saying why the user is asked to sign in again
    ready: null,
    signIn,
    signOut,
    forget,
  };
  let manager = null;

  const pageUrl = () => new URL('.', window.location.href).toString();

  function forget() {
    sessionStorage.removeItem(TOKEN_KEY);
    if (manager) manager.removeUser().catch(() => {});
  }

  async function signIn(hash) {
    if (!manager) return;
    api.problem = '';
    // Back to the same page (#/alliance/…) after the provider's sign-in.
    await manager.signinRedirect({ state: hash || '#/' });
  }

  async function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    if (!manager) return;
    try {
      // The provider ends its session too and sends the browser back here.
      await manager.signoutRedirect({ post_logout_redirect_uri: pageUrl() });
    } catch (e) {
      await manager.removeUser(); // a provider without an end-session endpoint
    }
  }

  async function start() {
    let config = { signIn: 'token' };
    try {
      const response = await fetch('config.json', { cache: 'no-store' });
      if (response.ok) config = await response.json();
    } catch (e) {
      // an older gateway: the development sign-in
    }
    if (config.signIn !== 'oidc') return;
    api.mode = 'oidc';
    if (!window.oidc) {
      api.problem = 'oidc-client-ts is missing: run npm ci --prefix gateway and restart the gateway.';
      return;
    }
    const settings = config.oidc;
    manager = new window.oidc.UserManager({
      authority: settings.issuer,
      client_id: settings.clientId,
      redirect_uri: pageUrl(),
      post_logout_redirect_uri: pageUrl(),
      response_type: 'code',
      scope: settings.scope,
      extraQueryParams: settings.extraQueryParams || {},
      userStore: new window.oidc.WebStorageStateStore({ store: window.sessionStorage }),
      loadUserInfo: false,
      automaticSilentRenew: false, // no refresh token, no hidden frame: sign in again
      monitorSession: false,
    });
    manager.events.addAccessTokenExpired(() => {
      forget();
      api.problem = 'sessionExpired';
      window.dispatchEvent(new Event('concord:signed-out'));
    });

    const query = new URLSearchParams(window.location.search);
    if (query.has('state') && (query.has('code') || query.has('error'))) {
      // Back from the provider: trade the code (and the PKCE verifier) for the tokens.
      let back = '#/';
      try {
        const user = await manager.signinRedirectCallback();
        back = typeof user.state === 'string' && user.state.startsWith('#') ? user.state : '#/';
      } catch (error) {
        api.problem = `${error.message || error}`;
      }
      history.replaceState(null, '', window.location.pathname + back);
    }
    const user = await manager.getUser();
    if (user && !user.expired && user.access_token) {
      sessionStorage.setItem(TOKEN_KEY, user.access_token);
    } else {
      if (user) api.problem = 'sessionExpired';
      forget();
    }
  }

  api.ready = start().catch((error) => {
    api.problem = `${error.message || error}`;
  });
  window.ConcordSignIn = api;
})();
