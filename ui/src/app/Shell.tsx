import { LogoutOutlined, UserOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App as AntApp, Button, Layout, Menu, Space, Tooltip, Typography } from "antd";
import { Outlet, useLocation, useNavigate } from "react-router";
import { api, call, setCsrfToken } from "../api/client";
import { useSignedIn } from "../features/session/queries";
import { appMessages as t } from "./messages";

const SCREENS = [
  { key: "/users", label: t.nav.users, ready: true },
  { key: "/terminals", label: t.nav.terminals, ready: false },
  { key: "/logs", label: t.nav.logs, ready: false },
  { key: "/shares", label: t.nav.shares, ready: false },
  { key: "/jobs", label: t.nav.jobs, ready: true },
];

/** The frame of every signed-in screen: service, facility, admin, navigation, ログアウト. */
export function Shell() {
  const session = useSignedIn();
  const location = useLocation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const signOut = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/session")),
    onSettled: () => {
      setCsrfToken(null);
      client.clear();
      navigate("/signin?reason=signed-out", { replace: true });
    },
  });
  const current = SCREENS.find((s) => location.pathname.startsWith(s.key))?.key ?? "";
  // antd's App (dialogs and messages that carry the CSP nonce) is only needed once signed
  // in; outside the sign-in bundle it costs the first page nothing.
  return (
    <AntApp>
      <Layout className="shell">
        <Layout.Header className="shell-header">
          <Typography.Text className="shell-brand">{t.serviceName}</Typography.Text>
          <nav aria-label={t.mainNav} className="shell-nav">
            <Menu
              mode="horizontal"
              theme="dark"
              selectedKeys={[current]}
              disabledOverflow
              items={SCREENS.map((s) => ({
                key: s.key,
                disabled: !s.ready,
                label: s.ready ? (
                  s.label
                ) : (
                  <Tooltip title={t.notYet}>
                    <span>{s.label}</span>
                  </Tooltip>
                ),
              }))}
              onClick={({ key }) => navigate(key)}
            />
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
          <Outlet />
        </Layout.Content>
        <Layout.Footer className="shell-footer">{t.footer}</Layout.Footer>
      </Layout>
    </AntApp>
  );
}
