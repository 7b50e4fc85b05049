// 施設情報 (SPEC T1, L1; issue 15): the signed-in admin's facility and its settings,
// read-only — operators change them (./fumidai facility set); the admin sees them as now.
import { Descriptions, Typography } from "antd";
import type { ReactNode } from "react";
import { LoadFailed, Loading } from "../../components/PageStates";
import { useSignedIn } from "../session/queries";
import { expiryText, targetNames } from "./format";
import { facilityMessages as t } from "./messages";
import { type FacilitySettings, useFacility } from "./queries";

export function FacilityPage() {
  const { facility } = useSignedIn();
  const settings = useFacility(facility);
  return (
    <>
      <Typography.Title level={1} className="page-title">
        {t.title}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t.readOnly}</Typography.Paragraph>
      {settings.isPending ? (
        <Loading />
      ) : settings.data ? (
        <Settings settings={settings.data} />
      ) : (
        <LoadFailed error={settings.error} onRetry={() => void settings.refetch()} />
      )}
    </>
  );
}

/** One value per line; an empty list says 未設定 (or what ``empty`` says). */
function Lines({ values, empty = t.notSet }: { values: string[]; empty?: string }): ReactNode {
  if (values.length === 0) return <Typography.Text type="secondary">{empty}</Typography.Text>;
  return (
    <ul className="facility-list">
      {values.map((value) => (
        <li key={value}>{value}</li>
      ))}
    </ul>
  );
}

function Settings({ settings }: { settings: FacilitySettings }) {
  const items = [
    { key: "name", label: t.labels.name, children: settings.name },
    { key: "code", label: t.labels.code, children: settings.code },
    { key: "domain", label: t.labels.domain, children: settings.domain },
    { key: "timeZone", label: t.labels.timeZone, children: settings.time_zone },
    {
      key: "downloadPeriod",
      label: t.labels.downloadPeriod,
      children: t.months(settings.download_period_months),
    },
    {
      key: "internalNetworks",
      label: t.labels.internalNetworks,
      children: <Lines values={settings.internal_networks} />,
    },
    {
      key: "notificationAddresses",
      label: t.labels.notificationAddresses,
      children: <Lines values={settings.notification_addresses} />,
    },
    {
      key: "passwordExpiry",
      label: t.labels.passwordExpiry,
      children: expiryText(settings.password_max_age_days),
    },
    {
      key: "federationTargets",
      label: t.labels.federationTargets,
      children: <Lines values={targetNames(settings.federation_targets)} empty={t.noTargets} />,
    },
  ];
  return (
    <section aria-labelledby="facility-settings">
      <Typography.Title level={2} id="facility-settings" style={{ fontSize: 16, margin: "8px 0" }}>
        {t.settings}
      </Typography.Title>
      <Descriptions
        bordered
        column={1}
        size="middle"
        items={items}
        className="facility-settings"
      />
    </section>
  );
}
