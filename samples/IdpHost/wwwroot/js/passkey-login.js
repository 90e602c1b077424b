// The login page's "Sign in with a passkey" (Pages/Account/_PasskeySignIn.cshtml): asks the IdP for WebAuthn request options
// (with the password form's antiforgery token and return URL), lets the browser's authenticator answer, and posts the answer
// with the ceremony's attempt id as an ordinary form, so that the page that comes back (signed in, the limit message, or a
// failure) is the server's.
(() => {
    'use strict';
    const block = document.getElementById('passkey-sign-in');
    const error = document.getElementById('passkey-error');
    const password = document.querySelector('form input[name="Input.Password"]');
    const login = password ? password.form : null;
    if (!block || !error || !login || !window.PublicKeyCredential || typeof PublicKeyCredential.parseRequestOptionsFromJSON !== 'function') {
        return;
    }

    const carried = () => {
        const fields = new FormData();
        for (const name of ['__RequestVerificationToken', 'ReturnUrl']) {
            const input = login.elements.namedItem(name);
            if (input) {
                fields.append(name, input.value);
            }
        }

        return fields;
    };

    block.hidden = false;
    let busy = false;
    block.querySelector('button').addEventListener('click', async () => {
        if (busy) {
            return;
        }

        busy = true;
        error.hidden = true;
        try {
            const response = await fetch(block.dataset.options, {
                method: 'POST',
                body: carried(),
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
            const form = document.createElement('form');
            form.method = 'post';
            form.action = block.dataset.action;
            form.hidden = true;
            const fields = carried();
            fields.append('PasskeyAttempt', ceremony.attempt);
            fields.append('PasskeyCredential', JSON.stringify(credential));
            for (const [name, value] of fields) {
                const input = document.createElement('input');
                input.type = 'hidden';
                input.name = name;
                input.value = value;
                form.appendChild(input);
            }

            document.body.appendChild(form);
            form.submit();
        } catch {
            error.hidden = false;
        } finally {
            busy = false;
        }
    });
})();
