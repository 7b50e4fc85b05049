import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ConfigProvider } from "antd";
import "antd/dist/antd.css";
import jaJP from "antd/locale/ja_JP";
import dayjs from "dayjs";
import "dayjs/locale/ja";
import { RouterProvider } from "react-router/dom";
import { ApiError } from "../api/client";
import type { createRouter } from "./routes";
import { theme } from "./theme";

dayjs.locale("ja");

export function newQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache(),
    defaultOptions: {
      // A request that cannot reach the server fails and says so: when the browser thinks
      // it is offline, TanStack Query would otherwise wait silently on 読み込み中….
      // A finished command's variables and answer (passwords, secrets shown once) are not
      // kept in the mutation cache for TanStack's default five minutes.
      mutations: { networkMode: "always", gcTime: 0 },
      queries: {
        networkMode: "always",
        // A client's mistake or an ended session does not get better by asking again.
        retry: (count, error) =>
          count < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
    },
  });
}

type Props = {
  nonce: string | undefined;
  queryClient: QueryClient;
  router: ReturnType<typeof createRouter>;
};

export function App({ nonce, queryClient, router }: Props) {
  return (
    // autoInsertSpace off: antd spaces out two-kanji labels (「登 録」) the Chinese way, which
    // reads wrong in Japanese and changes the buttons' accessible names.
    <ConfigProvider
      locale={jaJP}
      csp={nonce ? { nonce } : undefined}
      theme={theme}
      button={{ autoInsertSpace: false }}
    >
      <QueryClientProvider client={queryClient}>
        {/* No transitions: a transition renders the screen in 5 ms slices with a frame
            between each, and the user list's first paint came 300 ms later for it
            (bench/ui.py). The router loads a screen's code before it shows the screen, so
            nothing suspends and nothing is gained from rendering in slices. */}
        <RouterProvider router={router} useTransitions={false} />
      </QueryClientProvider>
    </ConfigProvider>
  );
}
