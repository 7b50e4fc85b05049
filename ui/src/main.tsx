import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, newQueryClient } from "./app/App";
import { createRouter, readAhead } from "./app/routes";
import "./app/styles.css";

// The gateway writes a fresh nonce into this tag for every copy of index.html; antd's
// run-time styles carry it so the CSP needs no 'unsafe-inline' (the property, not the
// attribute: browsers hide a nonce attribute's value once the page has loaded).
const meta = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]');
const nonce = meta?.nonce || undefined;

const queryClient = newQueryClient();
readAhead(queryClient, window.location);
const router = createRouter(queryClient);

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App nonce={nonce} queryClient={queryClient} router={router} />
    </StrictMode>,
  );
}
