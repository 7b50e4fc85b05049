import type { QueryClient } from "@tanstack/react-query";
import { createBrowserRouter, Navigate } from "react-router";
import { setCsrfToken, whenSessionEnds } from "../api/client";
import { SignInPage } from "../features/session/SignInPage";
import { RequireSession } from "../features/session/RequireSession";
import { JobsPage } from "../features/jobs/JobsPage";
import { UserCreatePage, UserEditPage } from "../features/users/UserFormPages";
import { UserListPage } from "../features/users/UserListPage";
import { NotFound } from "./NotFound";
import { Shell } from "./Shell";

/** The console's screens; every signed-in screen lives inside the frame. */
export function createRouter(queryClient: QueryClient) {
  const router = createBrowserRouter([
    { path: "/signin", element: <SignInPage /> },
    {
      path: "/",
      element: (
        <RequireSession>
          <Shell />
        </RequireSession>
      ),
      children: [
        { index: true, element: <Navigate to="/users" replace /> },
        { path: "users", element: <UserListPage /> },
        { path: "users/new", element: <UserCreatePage /> },
        { path: "users/:userId/edit", element: <UserEditPage /> },
        { path: "jobs", element: <JobsPage /> },
        { path: "*", element: <NotFound /> },
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
