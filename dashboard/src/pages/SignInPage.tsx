/**
 * When the API answers 401: sign in (App Service authentication with Microsoft Entra ID, where
 * it fronts the app), or give a function key for this tab (automation keys, the read-only
 * dashboard key). The key stays in this tab's session storage and goes only to this origin.
 */
import { useState } from 'preact/hooks';
import { setFunctionKey } from '../api';

export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const back = encodeURIComponent(location.pathname + location.hash);
  const submit = (event: Event): void => {
    event.preventDefault();
    setFunctionKey(key.trim());
    onSignedIn();
  };
  return (
    <section aria-labelledby="signin-heading" class="signin">
      <h1 id="signin-heading" tabIndex={-1}>
        Sign in to Harbormaster
      </h1>
      <p>The API did not recognise you.</p>
      <p>
        <a class="button button-primary" href={`/.auth/login/aad?post_login_redirect_uri=${back}`}>
          Sign in with Microsoft
        </a>
      </p>
      <form onSubmit={submit} class="inline-form">
        <label class="field">
          Or a function key
          <input type="password" autoComplete="off" value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} required />
        </label>
        <button type="submit" class="button">
          Use this key
        </button>
      </form>
      <p class="muted">The key is kept in this tab only and sent only to this Harbormaster.</p>
    </section>
  );
}
