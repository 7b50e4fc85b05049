import { Button, Result } from "antd";
import { Link } from "react-router";
import { appMessages as t } from "./messages";

export function NotFound() {
  return (
    <Result
      status="404"
      title="404"
      subTitle={t.notFound}
      extra={
        <Link to="/users">
          <Button type="primary">{t.backToUsers}</Button>
        </Link>
      }
    />
  );
}
