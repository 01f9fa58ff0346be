import styles from './SignInRequired.module.css';

/** The whole page when the server does not know this browser: no token in the URL and no valid session cookie. */
export function SignInRequired({ rejected }: { rejected: boolean }) {
  return (
    <main className={styles.page}>
      <div className={styles.card}>
        <span className={styles.brand}>ckptdash</span>
        <h1>Open the link printed in the terminal (it contains the access token)</h1>
        {rejected ? (
          <p>
            The link you opened carries a token this server does not accept any more (it was restarted with{' '}
            <code>--new-token</code>, or the link belongs to another server). Use the link it printed last.
          </p>
        ) : (
          <p>
            ckptdash can delete files, so it only answers browsers that were given its access token. When it starts, it
            prints a link like
          </p>
        )}
        <pre className={styles.example}>http://127.0.0.1:7878/#token=…</pre>
        <p className={styles.muted}>
          Opening that link signs this browser in and removes the token from the address bar; reloading keeps working
          afterwards. Lost the link? Restart <code>ckptdash</code> to print it again.
        </p>
      </div>
    </main>
  );
}
