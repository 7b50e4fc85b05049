import { useMutation } from "@tanstack/react-query";
import { Button, Form, Input, Modal } from "antd";
import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";
import { ProblemAlert } from "../components/ProblemAlert";
import { call, secondPasswordDue, userApi } from "./api";
import { shareMessages as t } from "./messages";

type Guard = <T>(action: () => Promise<T>) => Promise<T>;

const GuardContext = createContext<Guard | null>(null);

/** Run a file-share call; when the server says the second password is due (F7: none yet in
 * this session, or older than 10 minutes), ask for it and run the call once more. */
export function useSecondPasswordGuard(): Guard {
  const guard = useContext(GuardContext);
  if (!guard) throw new Error("useSecondPasswordGuard outside SecondPasswordProvider");
  return guard;
}

type Waiting = { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void };

/** Holds the one question for the second password that every call due for it waits on. */
export function SecondPasswordProvider({ children }: { children: ReactNode }) {
  const waiting = useRef<Waiting | null>(null);
  const [open, setOpen] = useState(false);

  const ask = useCallback((): Promise<void> => {
    if (!waiting.current) {
      let resolve = () => {};
      let reject: (e: unknown) => void = () => {};
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      waiting.current = { promise, resolve, reject };
      setOpen(true);
    }
    return waiting.current.promise;
  }, []);

  const guard = useCallback<Guard>(
    async (action) => {
      try {
        return await action();
      } catch (error) {
        if (!secondPasswordDue(error)) throw error;
        await ask().catch(() => Promise.reject(error));
        return action();
      }
    },
    [ask],
  );

  const settle = (ok: boolean) => {
    const current = waiting.current;
    waiting.current = null;
    setOpen(false);
    if (ok) current?.resolve();
    else current?.reject(new Error("cancelled"));
  };

  const value = useMemo(() => guard, [guard]);
  return (
    <GuardContext.Provider value={value}>
      {children}
      <SecondPasswordDialog open={open} onVerified={() => settle(true)} onCancel={() => settle(false)} />
    </GuardContext.Provider>
  );
}

type DialogProps = { open: boolean; onVerified: () => void; onCancel: () => void };

function SecondPasswordDialog({ open, onVerified, onCancel }: DialogProps) {
  const [form] = Form.useForm<{ second: string }>();
  const verify = useMutation({
    mutationFn: (second: string) =>
      call(userApi.POST("/user-api/v1/second-password", { body: { second_password: second } })),
    onSuccess: () => {
      form.resetFields();
      verify.reset();
      onVerified();
    },
  });
  return (
    <Modal
      open={open}
      title={t.second.title}
      onCancel={() => {
        form.resetFields();
        verify.reset();
        onCancel();
      }}
      footer={null}
      destroyOnHidden
      maskClosable={false}
    >
      <p>{t.second.lead}</p>
      <ProblemAlert error={verify.error} />
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={(v) => verify.mutate(v.second)}
      >
        <Form.Item
          label={t.second.field}
          name="second"
          rules={[{ required: true, message: t.required(t.second.field) }]}
        >
          <Input.Password autoComplete="off" autoFocus maxLength={128} />
        </Form.Item>
        <Button type="primary" htmlType="submit" block loading={verify.isPending}>
          {t.second.submit}
        </Button>
      </Form>
    </Modal>
  );
}
