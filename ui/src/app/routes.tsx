import type { QueryClient } from "@tanstack/react-query";
import { createBrowserRouter, type LoaderFunctionArgs, Navigate } from "react-router";
import { setCsrfToken, whenSessionEnds } from "../api/client";
import { Loading } from "../components/PageStates";
import { ScreenFailed, screen } from "./RouteError";
import { RequireSession } from "../features/session/RequireSession";
import { SignInPage } from "../features/session/SignInPage";
import { sessionQuery } from "../features/session/queries";
import { prefetchUserList } from "../features/users/prefetch";

// The sign-in page is all a signed-out browser loads; the frame and the screens come as
// their own files once signed in (bench/ui.py: ui_signin_transfer_kb).
const shell = screen(async () => ({ Component: (await import("./Shell")).Shell }));
const userList = screen(async () => ({
  Component: (await import("../features/users/UserListPage")).UserListPage,
}));
const userCreate = screen(async () => ({
  Component: (await import("../features/users/UserFormPages")).UserCreatePage,
}));
const userEdit = screen(async () => ({
  Component: (await import("../features/users/UserFormPages")).UserEditPage,
}));
const jobs = screen(async () => ({
  Component: (await import("../features/jobs/JobsPage")).JobsPage,
}));
const shares = screen(async () => ({
  Component: (await import("../features/shares/SharesPage")).SharesPage,
}));
const terminalList = screen(async () => ({
  Component: (await import("../features/terminals/TerminalListPage")).TerminalListPage,
}));
const terminalCreate = screen(async () => ({
  Component: (await import("../features/terminals/TerminalFormPages")).TerminalCreatePage,
}));
const terminalEdit = screen(async () => ({
  Component: (await import("../features/terminals/TerminalFormPages")).TerminalEditPage,
}));
const logs = screen(async () => ({
  Component: (await import("../features/logs/LogsPage")).LogsPage,
}));
const facility = screen(async () => ({
  Component: (await import("../features/facility/FacilityPage")).FacilityPage,
}));
const notFound = screen(async () => ({ Component: (await import("./NotFound")).NotFound }));
// The users' page 「ファイル共有」: its own frame and session, the user API only.
const sharePage = screen(async () => ({
  Component: (await import("../share/SharePage")).SharePage,
}));
// 「パスワードを忘れた場合」 (decision 0020): the request form and the mailed link's page.
const forgotPassword = screen(async () => ({
  Component: (await import("../features/session/recovery/pages")).AdminForgotPasswordPage,
}));
const resetPassword = screen(async () => ({
  Component: (await import("../features/session/recovery/pages")).AdminResetPasswordPage,
}));
const shareForgotPassword = screen(async () => ({
  Component: (await import("../share/RecoveryPages")).ShareForgotPasswordPage,
}));
const shareResetPassword = screen(async () => ({
  Component: (await import("../share/RecoveryPages")).ShareResetPasswordPage,
}));
const shareSignIn = screen(async () => ({
  Component: (await import("../share/ShareSignInPage")).ShareSignInPage,
}));

/** Ask for what the first screen shows before anything else runs (main.tsx): the session
 * (index.html preloads it; the admin's only, /share/ has its own) and, on a cold load of
 * the user list, its first page — the route's loader would run only once the screen's lazy
 * code has loaded, and anything started inside React's first render waits for its end. */
export function readAhead(queryClient: QueryClient, location: Location): void {
  if (location.pathname.startsWith("/share")) return;
  void queryClient.prefetchQuery(sessionQuery);
  if (["/", "/users"].includes(location.pathname)) prefetchUserList(queryClient, location.href);
}

/** The console's screens; every signed-in screen lives inside the frame. */
export function createRouter(queryClient: QueryClient) {
  const router = createBrowserRouter([
    { path: "/signin", element: <SignInPage /> },
    {
      path: "/forgot-password",
      lazy: forgotPassword,
      hydrateFallbackElement: <Loading />,
      errorElement: <ScreenFailed />,
    },
    {
      path: "/reset-password",
      lazy: resetPassword,
      hydrateFallbackElement: <Loading />,
      errorElement: <ScreenFailed />,
    },
    {
      path: "/share",
      hydrateFallbackElement: <Loading />,
      errorElement: <ScreenFailed />,
      children: [
        { index: true, lazy: sharePage, errorElement: <ScreenFailed /> },
        { path: "signin", lazy: shareSignIn, errorElement: <ScreenFailed /> },
        { path: "forgot-password", lazy: shareForgotPassword, errorElement: <ScreenFailed /> },
        { path: "reset-password", lazy: shareResetPassword, errorElement: <ScreenFailed /> },
      ],
    },
    {
      path: "/",
      element: <RequireSession />,
      hydrateFallbackElement: <Loading />,
      errorElement: <ScreenFailed />,
      children: [
        {
          lazy: shell,
          errorElement: <ScreenFailed />,
          // A screen that fails to load says so inside the frame, navigation still there.
          children: [
            { index: true, element: <Navigate to="/users" replace /> },
            {
              path: "users",
              lazy: userList,
              loader: ({ request }: LoaderFunctionArgs) => {
                prefetchUserList(queryClient, request.url);
                return null;
              },
            },
            { path: "users/new", lazy: userCreate },
            { path: "users/:userId/edit", lazy: userEdit },
            { path: "terminals", lazy: terminalList },
            { path: "terminals/new", lazy: terminalCreate },
            { path: "terminals/:terminalId/edit", lazy: terminalEdit },
            { path: "jobs", lazy: jobs },
            { path: "logs", element: <Navigate to="/logs/connections" replace /> },
            { path: "logs/:tab", lazy: logs },
            { path: "shares/:tab?", lazy: shares },
            { path: "facility", lazy: facility },
            { path: "*", lazy: notFound },
          ].map((screen) => ({ ...screen, errorElement: <ScreenFailed /> })),
        },
      ],
    },
  ]);
  // An ended session anywhere (idle 30 min, signed out in another tab) returns to sign-in
  // with a message; nothing of the old session's data stays in memory.
  whenSessionEnds(() => {
    if (router.state.location.pathname === "/signin") return;
    setCsrfToken(null);
    queryClient.clear();
    const from = router.state.location.pathname + router.state.location.search;
    void router.navigate(`/signin?reason=expired&from=${encodeURIComponent(from)}`, {
      replace: true,
    });
  });
  return router;
}
