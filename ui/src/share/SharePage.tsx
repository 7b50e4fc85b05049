import { LogoutOutlined, ReloadOutlined, UserOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App as AntApp, Button, Card, Layout, Space, Typography } from "antd";
import { useEffect } from "react";
import { Navigate, useNavigate } from "react-router";
import { Loading, LoadFailed } from "../components/PageStates";
import { ApiError, setUserCsrfToken, type UserSession, whenUserSessionEnds } from "./api";
import { shareMessages as t } from "./messages";
import { sharesKey, sharesQuery } from "./queries";
import { SecondPasswordProvider, useSecondPasswordGuard } from "./SecondPassword";
import { MyShares, ReceivedShares } from "./ShareTables";
import { UploadCard } from "./UploadCard";
import { userSessionKey, userSignOut, useUserSession } from "./session";

/** The users' page 「ファイル共有」: its own frame, only with a user's session. */
export function SharePage() {
  const session = useUserSession();
  useSessionEndReturnsToSignIn();
  if (session.isPending) return <Loading />;
  if (session.error) {
    // No session, or an admin's (403: another role): the users' sign-in.
    if (session.error instanceof ApiError && [401, 403].includes(session.error.status)) {
      return <Navigate to="/share/signin" replace />;
    }
    return <LoadFailed error={session.error} onRetry={() => void session.refetch()} />;
  }
  return (
    <AntApp>
      <SecondPasswordProvider>
        <ShareFrame session={session.data}>
          <UploadCard />
          <SharesSections />
        </ShareFrame>
      </SecondPasswordProvider>
    </AntApp>
  );
}

/** An ended session (idle 30 min, signed out elsewhere) returns to the users' sign-in with
 * a message; nothing of the old session's data stays in memory. */
function useSessionEndReturnsToSignIn() {
  const navigate = useNavigate();
  const client = useQueryClient();
  useEffect(() => {
    whenUserSessionEnds(() => {
      setUserCsrfToken(null);
      client.removeQueries({ queryKey: userSessionKey });
      client.removeQueries({ queryKey: sharesKey });
      navigate("/share/signin?reason=expired", { replace: true });
    });
  }, [client, navigate]);
}

function ShareFrame({ session, children }: { session: UserSession; children: React.ReactNode }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const signOut = useMutation({
    mutationFn: userSignOut,
    onSettled: () => {
      setUserCsrfToken(null);
      client.removeQueries({ queryKey: sharesKey });
      client.removeQueries({ queryKey: userSessionKey });
      navigate("/share/signin?reason=signed-out", { replace: true });
    },
  });
  return (
    <Layout className="shell">
      <Layout.Header className="shell-header">
        <Typography.Text className="shell-brand">{t.app}</Typography.Text>
        <Space className="shell-who" size="middle">
          <span className="shell-facility">{session.facility_name}</span>
          <span aria-label={t.account}>
            <UserOutlined aria-hidden /> {session.display_name}
          </span>
          <Button icon={<LogoutOutlined />} onClick={() => signOut.mutate()} loading={signOut.isPending}>
            {t.logOut}
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content className="shell-content">
        <Typography.Title level={1} className="page-title">
          {t.app}
        </Typography.Title>
        <Space direction="vertical" size="large" style={{ width: "100%" }}>
          {children}
        </Space>
      </Layout.Content>
    </Layout>
  );
}

/** 「共有したファイル」 and 「受け取ったファイル」 from the one list of the user's shares. */
function SharesSections() {
  const guard = useSecondPasswordGuard();
  const shares = useQuery(sharesQuery(guard));
  const refresh = (
    <Button icon={<ReloadOutlined />} onClick={() => void shares.refetch()} loading={shares.isFetching}>
      {t.refresh}
    </Button>
  );
  const body = (pick: "user" | "admin") => {
    if (shares.isPending) return <Loading />;
    if (shares.error) return <LoadFailed error={shares.error} onRetry={() => void shares.refetch()} />;
    const items = shares.data.items.filter((s) => s.uploaded_by_role === pick);
    return pick === "user" ? <MyShares shares={items} /> : <ReceivedShares shares={items} />;
  };
  return (
    <Space direction="vertical" size="large" style={{ width: "100%" }}>
      <Card title={<h2 className="share-card-title">{t.mine.title}</h2>} extra={refresh}>
        {body("user")}
      </Card>
      <Card title={<h2 className="share-card-title">{t.received.title}</h2>}>{body("admin")}</Card>
    </Space>
  );
}
