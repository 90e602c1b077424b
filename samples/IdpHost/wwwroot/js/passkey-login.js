// The login page's "Sign in with a passkey" (Pages/Account/_PasskeySignIn.cshtml): asks the IdP for WebAuthn request options,
// lets the browser's authenticator answer, and posts the answer with the ceremony's attempt id as an ordinary form, so that
// the page that comes back (signed in, the limit message, or a failure) is the server's.
(() => {
    'use strict';
    const form = document.getElementById('passkey-form');
    const error = document.getElementById('passkey-error');
    if (!form || !error || !window.PublicKeyCredential || typeof PublicKeyCredential.parseRequestOptionsFromJSON !== 'function') {
        return;
    }

    form.hidden = false;
    let busy = false;
    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        if (busy) {
            return;
        }

        busy = true;
        error.hidden = true;
        try {
            const response = await fetch(form.dataset.options, {
                method: 'POST',
                body: new FormData(form),
                credentials: 'same-origin',
                headers: { Accept: 'application/json' },
            });
            if (!response.ok) {
                throw new Error('The passkey options were refused: ' + response.status);
            }

            const ceremony = await response.json();
            const credential = await navigator.credentials.get({
                publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(ceremony.options),
            });
            form.elements.PasskeyAttempt.value = ceremony.attempt;
            form.elements.PasskeyCredential.value = JSON.stringify(credential);
            form.submit();
        } catch {
            error.hidden = false;
        } finally {
            busy = false;
        }
    });
})();
