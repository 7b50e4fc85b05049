import { Navigate, Outlet, useLocation } from "react-router";
import { ApiError } from "../../api/client";
import { Loading, LoadFailed } from "../../components/PageStates";
import { SignedInContext, useSession } from "./queries";

/** Signed-in screens only with a session; without one, sign-in (and back here after). */
export function RequireSession() {
  const session = useSession();
  const location = useLocation();
  if (session.isPending || (!session.data && !session.error)) return <Loading />;
  if (session.error) {
    if (session.error instanceof ApiError && session.error.status === 401) {
      const from = location.pathname + location.search;
      return <Navigate to={`/signin?from=${encodeURIComponent(from)}`} replace />;
    }
    return <LoadFailed error={session.error} onRetry={() => void session.refetch()} />;
  }
  return (
    <SignedInContext.Provider value={session.data ?? null}>
      <Outlet />
    </SignedInContext.Provider>
  );
}
