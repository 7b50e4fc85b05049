import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ConfigProvider } from "antd";
import "antd/dist/antd.css";
import jaJP from "antd/locale/ja_JP";
import dayjs from "dayjs";
import "dayjs/locale/ja";
import { useState } from "react";
import { RouterProvider } from "react-router/dom";
import { ApiError } from "../api/client";
import { createRouter } from "./routes";
import { theme } from "./theme";

dayjs.locale("ja");

function newQueryClient(): QueryClient {
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

export function App({ nonce }: { nonce: string | undefined }) {
  const [queryClient] = useState(newQueryClient);
  const [router] = useState(() => createRouter(queryClient));
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
        <RouterProvider router={router} />
      </QueryClientProvider>
    </ConfigProvider>
  );
}
