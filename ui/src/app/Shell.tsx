import { LogoutOutlined, UserOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App as AntApp, Button, Layout, Space, Typography } from "antd";
import { NavLink, Outlet, useNavigate } from "react-router";
import { ApiError, api, call, setCsrfToken } from "../api/client";
import { ProblemAlert } from "../components/ProblemAlert";
import { useSignedIn } from "../features/session/queries";
import { appMessages as t } from "./messages";

const SCREENS = [
  { key: "/users", label: t.nav.users, ready: true },
  { key: "/terminals", label: t.nav.terminals, ready: true },
  { key: "/logs", label: t.nav.logs, ready: true },
  { key: "/shares", label: t.nav.shares, ready: true },
  { key: "/jobs", label: t.nav.jobs, ready: true },
  { key: "/facility", label: t.nav.facility, ready: true },
];

/** The frame of every signed-in screen: service, facility, admin, navigation, ログアウト.
 * The navigation is plain links (open in a new tab, the current one marked for assistive
 * technology); antd's Menu cost the list's first paint more than the list's rows. */
export function Shell() {
  const session = useSignedIn();
  const navigate = useNavigate();
  const client = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/session")),
    // Signed out only when the server says so (or says the session was already gone): on a
    // shared PC a cookie still valid must not pass for a signed-out session.
    onSuccess: () => leave(),
    onError: (error) => {
      if (error instanceof ApiError && error.status === 401) leave();
    },
  });
  const leave = () => {
    setCsrfToken(null);
    client.clear();
    navigate("/signin?reason=signed-out", { replace: true });
  };
  // antd's App (dialogs and messages that carry the CSP nonce) is only needed once signed
  // in; outside the sign-in bundle it costs the first page nothing.
  return (
    <AntApp>
      <Layout className="shell">
        <Layout.Header className="shell-header">
          <Typography.Text className="shell-brand">{t.serviceName}</Typography.Text>
          <nav aria-label={t.mainNav} className="shell-nav">
            <ul>
              {SCREENS.map((screen) => (
                <li key={screen.key}>
                  {screen.ready ? (
                    <NavLink to={screen.key} className="shell-link">
                      {screen.label}
                    </NavLink>
                  ) : (
                    <span className="shell-link" aria-disabled="true" title={t.notYet}>
                      {screen.label}
                    </span>
                  )}
                </li>
              ))}
            </ul>
          </nav>
          <Space className="shell-who" size="middle">
            <span className="shell-facility">{session.facility_name}</span>
            <span aria-label={t.account}>
              <UserOutlined aria-hidden /> {session.display_name}
            </span>
            <Button
              icon={<LogoutOutlined aria-hidden />}
              onClick={() => signOut.mutate()}
              loading={signOut.isPending}
            >
              {t.signOut}
            </Button>
          </Space>
        </Layout.Header>
        {/* antd's Layout.Content is the page's <main> landmark already. */}
        <Layout.Content className="shell-content">
          <ProblemAlert error={signOut.error} extra={signOut.error ? [t.signOutFailed] : []} />
          <Outlet />
        </Layout.Content>
        <Layout.Footer className="shell-footer">{t.footer}</Layout.Footer>
      </Layout>
    </AntApp>
  );
}
