import { Alert, Button } from "antd";
import type { ReactNode } from "react";
import { appMessages as t } from "./messages";

/** What a screen shows when its code could not be loaded (the server unreachable when it
 * was first opened, or a release replaced the files) or failed unexpectedly: a plain
 * message and a reload, never the router's developer page or a blank one. */
export function ScreenFailed() {
  return (
    <Alert
      type="warning"
      showIcon
      role="alert"
      className="load-failed"
      title={t.screenFailed}
      description={t.screenFailedDetail}
      action={
        <Button type="primary" onClick={() => window.location.reload()}>
          {t.retry}
        </Button>
      }
    />
  );
}

type Loaded = { Component: () => ReactNode };

/** A lazy screen that, when its code cannot be fetched, becomes ScreenFailed inside the
 * frame instead of failing the navigation. */
export function screen(load: () => Promise<Loaded>): () => Promise<Loaded> {
  return () => load().catch(() => ({ Component: ScreenFailed }));
}
