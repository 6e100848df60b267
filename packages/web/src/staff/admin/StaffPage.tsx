import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../shared/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatInstant } from '../format.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { useSession } from '../session.tsx';
import { BackToAdmin } from './AdminPage.tsx';
import type { PermissionInfo, Role, StaffUser } from './types.ts';

const NEW_USER = { username: '', displayName: '', email: '', password: '', homeBranchId: '' };

/**
 * Staff users and roles (`/staff/admin/staff`): staff.read to look; staff.manage to create a user,
 * change a user's roles, and deactivate or reactivate a user (a deactivated user cannot log in).
 */
export function StaffPage() {
  const { t, language } = useI18n();
  const { can, branches, branchName, branch } = useSession();
  const manage = can('staff.manage');
  const [users, setUsers] = useState<StaffUser[] | null>(null);
  const [roles, setRoles] = useState<Role[]>([]);
  const [permissions, setPermissions] = useState<PermissionInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const [editingRoles, setEditingRoles] = useState<{ user: StaffUser; roleIds: string[] } | null>(null);
  const [fields, setFields] = useState(NEW_USER);
  const [newRoles, setNewRoles] = useState<string[]>([]);
  const rolesHeadingRef = useRef<HTMLHeadingElement>(null);

  const load = useCallback(() => {
    Promise.all([
      call<StaffUser[]>('adminStaffUsers'),
      call<Role[]>('adminRoles'),
      call<PermissionInfo[]>('adminPermissions'),
    ]).then(
      ([u, r, p]) => {
        setUsers(u);
        setRoles(r);
        setPermissions(p);
      },
      (e: unknown) => setError(errorText(e, t)),
    );
  }, [t]);
  useEffect(load, [load]);
  useEffect(() => {
    if (editingRoles) rolesHeadingRef.current?.focus();
  }, [editingRoles]);

  const roleNames = (ids: string[]) =>
    ids.length === 0
      ? t('admin.staff.noRoles')
      : ids.map((id) => roles.find((r) => r.id === id)?.name ?? id).join(', ');

  async function change(user: StaffUser, body: Record<string, unknown>, message: string) {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const saved = await call<StaffUser>('adminStaffUserUpdate', { params: { id: user.id }, body });
      setUsers((list) => list?.map((u) => (u.id === saved.id ? saved : u)) ?? null);
      setStatus(t(message, { name: saved.displayName }));
      return true;
    } catch (e) {
      setError(errorText(e, t));
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function saveRoles(event: FormEvent) {
    event.preventDefault();
    if (!editingRoles) return;
    if (await change(editingRoles.user, { roleIds: editingRoles.roleIds }, 'admin.staff.rolesSaved'))
      setEditingRoles(null);
  }

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      const user = await call<StaffUser>('adminStaffUserCreate', {
        body: {
          username: fields.username.trim(),
          displayName: fields.displayName.trim(),
          email: fields.email.trim() || null,
          password: fields.password,
          roleIds: newRoles,
          homeBranchId: fields.homeBranchId || null,
        },
      });
      setUsers((list) => [...(list ?? []), user]);
      setStatus(t('admin.staff.created', { name: user.displayName }));
      setFields(NEW_USER);
      setNewRoles([]);
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  const toggle = (list: string[], id: string) =>
    list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
  const set = (name: keyof typeof NEW_USER) => (e: { target: { value: string } }) =>
    setFields((f) => ({ ...f, [name]: e.target.value }));

  return (
    <>
      <BackToAdmin />
      <PageHeading title={t('admin.staff.title')}>{t('admin.staff.title')}</PageHeading>
      {!manage && <p className="note">{t('admin.staff.readOnly')}</p>}
      <ErrorMessage text={error} />
      <div role="status" className={status ? 'ok-box' : undefined}>
        {status}
      </div>

      <section aria-labelledby="users-heading">
        <h2 id="users-heading">{t('admin.staff.users')}</h2>
        {users === null && !error && <p className="loading">{t('app.loading')}</p>}
        {users && (
          <div className="table-wrap">
            <table className="admin-table">
              <caption className="visually-hidden">{t('admin.staff.users')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.staff.displayName')}</th>
                  <th scope="col">{t('admin.staff.username')}</th>
                  <th scope="col">{t('admin.staff.roles')}</th>
                  <th scope="col">{t('admin.staff.homeBranch')}</th>
                  <th scope="col">{t('admin.staff.active')}</th>
                  <th scope="col">{t('admin.staff.lastLogin')}</th>
                  {manage && <th scope="col">{t('admin.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id}>
                    <td>{u.displayName}</td>
                    <td>{u.username}</td>
                    <td>{roleNames(u.roleIds)}</td>
                    <td>{u.homeBranchId ? branchName(u.homeBranchId) : '—'}</td>
                    <td>{u.isActive ? t('admin.staff.yes') : t('admin.staff.no')}</td>
                    <td>
                      {u.lastLoginAt
                        ? formatInstant(u.lastLoginAt, language, branch.timeZone)
                        : t('admin.staff.neverLoggedIn')}
                    </td>
                    {manage && (
                      <td className="nowrap">
                        <button
                          type="button"
                          className="small secondary"
                          aria-label={t('admin.staff.changeRolesLabel', { name: u.displayName })}
                          onClick={() => setEditingRoles({ user: u, roleIds: u.roleIds })}
                        >
                          {t('admin.staff.changeRoles')}
                        </button>{' '}
                        <button
                          type="button"
                          className="small secondary"
                          disabled={busy}
                          aria-label={t(
                            u.isActive ? 'admin.staff.deactivateLabel' : 'admin.staff.reactivateLabel',
                            {
                              name: u.displayName,
                            },
                          )}
                          onClick={() =>
                            change(
                              u,
                              { isActive: !u.isActive },
                              u.isActive ? 'admin.staff.deactivated' : 'admin.staff.reactivated',
                            )
                          }
                        >
                          {t(u.isActive ? 'admin.staff.deactivate' : 'admin.staff.reactivate')}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      {manage && editingRoles && (
        <section aria-labelledby="roles-edit-heading">
          <h2 id="roles-edit-heading" ref={rolesHeadingRef} tabIndex={-1}>
            {t('admin.staff.rolesOf', { name: editingRoles.user.displayName })}
          </h2>
          <form onSubmit={saveRoles}>
            <fieldset className="checkbox-list">
              <legend>{t('admin.staff.roles')}</legend>
              {roles.map((r) => (
                <div key={r.id} className="checkbox-field">
                  <input
                    id={`edit-role-${r.id}`}
                    type="checkbox"
                    checked={editingRoles.roleIds.includes(r.id)}
                    onChange={() =>
                      setEditingRoles((e) => (e ? { ...e, roleIds: toggle(e.roleIds, r.id) } : e))
                    }
                  />
                  <label htmlFor={`edit-role-${r.id}`}>{r.name}</label>
                </div>
              ))}
            </fieldset>
            <p className="actions">
              <button type="submit" disabled={busy}>
                {t('admin.staff.saveRoles')}
              </button>
              <button type="button" className="secondary" onClick={() => setEditingRoles(null)}>
                {t('admin.cancel')}
              </button>
            </p>
          </form>
        </section>
      )}

      {manage && (
        <section aria-labelledby="new-user-heading">
          <h2 id="new-user-heading">{t('admin.staff.new')}</h2>
          <form className="form-grid" onSubmit={create}>
            <div className="field">
              <label htmlFor="new-username">{t('admin.staff.username')}</label>
              <input
                id="new-username"
                autoComplete="off"
                value={fields.username}
                onChange={set('username')}
              />
            </div>
            <div className="field">
              <label htmlFor="new-displayName">{t('admin.staff.displayName')}</label>
              <input id="new-displayName" value={fields.displayName} onChange={set('displayName')} />
            </div>
            <div className="field">
              <label htmlFor="new-email">{t('admin.staff.email')}</label>
              <input id="new-email" type="email" value={fields.email} onChange={set('email')} />
            </div>
            <div className="field">
              <label htmlFor="new-password">{t('admin.staff.password')}</label>
              <input
                id="new-password"
                type="password"
                autoComplete="new-password"
                value={fields.password}
                onChange={set('password')}
              />
            </div>
            <div className="field">
              <label htmlFor="new-branch">{t('admin.staff.homeBranch')}</label>
              <select id="new-branch" value={fields.homeBranchId} onChange={set('homeBranchId')}>
                <option value="">{t('admin.staff.noBranch')}</option>
                {branches.map((b) => (
                  <option key={b.id} value={b.id}>
                    {b.name}
                  </option>
                ))}
              </select>
            </div>
            <fieldset className="checkbox-list">
              <legend>{t('admin.staff.roles')}</legend>
              {roles.map((r) => (
                <div key={r.id} className="checkbox-field">
                  <input
                    id={`new-role-${r.id}`}
                    type="checkbox"
                    checked={newRoles.includes(r.id)}
                    onChange={() => setNewRoles((list) => toggle(list, r.id))}
                  />
                  <label htmlFor={`new-role-${r.id}`}>{r.name}</label>
                </div>
              ))}
            </fieldset>
            <div className="actions">
              <button type="submit" disabled={busy}>
                {t('admin.staff.create')}
              </button>
            </div>
          </form>
        </section>
      )}

      <section aria-labelledby="role-list-heading">
        <h2 id="role-list-heading">{t('admin.staff.roleList')}</h2>
        <dl className="role-list">
          {roles.map((r) => (
            <div key={r.id}>
              <dt>{r.name}</dt>
              <dd>
                {r.description && <span>{r.description} </span>}
                <ul className="permission-list">
                  {r.permissions.map((p) => (
                    <li key={p}>
                      <code>{p}</code>
                      {permissions.find((info) => info.name === p) && (
                        <span className="note">
                          {' '}
                          — {permissions.find((info) => info.name === p)?.description}
                        </span>
                      )}
                    </li>
                  ))}
                </ul>
              </dd>
            </div>
          ))}
        </dl>
      </section>
    </>
  );
}
