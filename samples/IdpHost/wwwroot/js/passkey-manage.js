// Manage → Passkeys, "Add a passkey" (Pages/Account/Manage/Passkeys.cshtml): asks the IdP for WebAuthn creation options for
// the account the form was rendered for, lets the browser's authenticator create the passkey, and posts its answer with the
// ceremony's attempt id as an ordinary form. When the IdP refuses the options (another tab switched accounts, or the form
// expired), the form is posted as it is, and the page that comes back says why.
(() => {
    'use strict';
    const form = document.getElementById('passkey-add-form');
    const error = document.getElementById('passkey-error');
    if (!form || !error) {
        return;
    }

    let busy = false;
    form.addEventListener('submit', async (event) => {
        event.preventDefault();
        if (busy) {
            return;
        }

        if (!window.PublicKeyCredential || typeof PublicKeyCredential.parseCreationOptionsFromJSON !== 'function') {
            error.hidden = false;
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
                form.submit();
                return;
            }

            const ceremony = await response.json();
            const credential = await navigator.credentials.create({
                publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(ceremony.options),
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
