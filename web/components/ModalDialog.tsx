import { useEffect, useRef, type ReactNode, type RefObject } from 'react';
import styles from './ModalDialog.module.css';

interface Props {
  /** The id of the heading that names the dialog. */
  labelledBy: string;
  describedBy?: string;
  /** Escape and the owner's buttons close it; the owner unmounts it. */
  onClose: () => void;
  /** Where the keyboard starts; the dialog itself when absent, so no button is pressed by a stray Enter. */
  initialFocus?: RefObject<HTMLElement | null>;
  className?: string;
  children: ReactNode;
}

/**
 * A native modal <dialog>: the page behind is inert (focus cannot wander there, screen readers skip it) and the
 * browser's Escape is turned into the owner's onClose so React stays in charge of whether it is open. Focus goes
 * back to whatever opened it.
 */
export function ModalDialog({ labelledBy, describedBy, onClose, initialFocus, className, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    (initialFocus?.current ?? dialog).focus({ preventScroll: true });
    return () => {
      if (dialog.open) dialog.close();
      if (opener?.isConnected) opener.focus({ preventScroll: true });
    };
    // Opening once per mount: a new initialFocus later must not steal the keyboard back.
  }, []);

  return (
    <dialog
      ref={ref}
      className={`${styles.dialog} ${className ?? ''}`}
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      tabIndex={-1}
      onCancel={(e) => {
        e.preventDefault();
        closeRef.current();
      }}
    >
      {children}
    </dialog>
  );
}
