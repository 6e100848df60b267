import { type ReactNode, useCallback, useEffect, useId, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { errorText } from '../call.ts';
import { ErrorMessage } from '../Page.tsx';

/** Says which section acted last, so the others drop their old results (one result on screen at a time). */
const acted = new EventTarget();

/**
 * One section's action state: whether a request is under way, and the result to announce — a success
 * in a polite live region, or the API's message (or ours for a network failure) as an alert.
 */
export function useAction() {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ReactNode>(null);
  const [error, setError] = useState<string | null>(null);
  const me = useId();

  useEffect(() => {
    const clear = (event: Event) => {
      if ((event as CustomEvent<string>).detail === me) return;
      setDone(null);
      setError(null);
    };
    acted.addEventListener('acted', clear);
    return () => acted.removeEventListener('acted', clear);
  }, [me]);
  const announce = useCallback(() => acted.dispatchEvent(new CustomEvent('acted', { detail: me })), [me]);

  /** Runs `work` once at a time; what it returns is the success message. */
  const run = useCallback(
    async (work: () => Promise<ReactNode>): Promise<boolean> => {
      announce();
      setBusy(true);
      setDone(null);
      setError(null);
      try {
        setDone(await work());
        return true;
      } catch (e) {
        setError(errorText(e, t));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [t, announce],
  );

  /** Shows a problem found before sending (a field typed wrongly). */
  const refuse = useCallback(
    (message: string) => {
      announce();
      setDone(null);
      setError(message);
    },
    [announce],
  );

  return { busy, done, error, run, refuse };
}

/**
 * A labelled one-line text field of a patron section's forms. `hint` is shown under the field and read
 * with it; `describedBy` names a hint placed elsewhere instead. `decimal` brings up a number keypad
 * for amounts.
 */
export function TextField({
  id,
  label,
  value,
  onChange,
  hint,
  describedBy,
  required = false,
  decimal = false,
  maxLength,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  hint?: ReactNode;
  describedBy?: string;
  required?: boolean;
  decimal?: boolean;
  maxLength?: number;
}) {
  const hintId = `${id}-hint`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        inputMode={decimal ? 'decimal' : undefined}
        autoComplete="off"
        aria-required={required ? 'true' : undefined}
        aria-describedby={hint === undefined ? describedBy : hintId}
        maxLength={maxLength}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      {hint !== undefined && (
        <span id={hintId} className="hint">
          {hint}
        </span>
      )}
    </div>
  );
}

/** The live regions of a section: success (status) and error (alert). */
export function Feedback({ done, error }: { done: ReactNode; error: string | null }) {
  return (
    <>
      <div role="status">{done ? <p className="ok-box">{done}</p> : null}</div>
      <ErrorMessage text={error} />
    </>
  );
}

/**
 * A table's sideways-scrolling wrapper that the keyboard can reach (on a phone a wide table scrolls, and
 * a scrolling region must take the focus so arrow keys can scroll it), named after the table.
 */
export function TableWrap({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable (WCAG 2.1.1)
    <section className="table-wrap" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
