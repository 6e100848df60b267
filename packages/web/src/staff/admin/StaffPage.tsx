import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../common/i18n.ts';
import { call, errorText } from '../call.ts';
import { formatInstant } from '../format.ts';
import { ErrorMessage, PageHeading } from '../Page.tsx';
import { useSession } from '../session.tsx';
import { BackToAdmin } from './AdminPage.tsx';
import type { PermissionInfo, Role, StaffUser } from './types.ts';

const NEW_USER = { username: '', displayName: '', email: '', password: '', homeBranchId: '' };

/** The role being added (`id` null) or changed. */
interface RoleFields {
  id: string | null;
  name: string;
  description: string;
  permissions: string[];
}

/**
 * Staff users and roles (`/staff/admin/staff`): staff.read to look; staff.manage to create a user,
 * change a user's roles, deactivate or reactivate a user (a deactivated user cannot log in), and add,
 * change (rename, permissions) and delete roles (the API refuses to delete a role someone holds).
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
  const [roleForm, setRoleForm] = useState<RoleFields | null>(null);
  const [confirmingRole, setConfirmingRole] = useState<string | null>(null);
  const [roleError, setRoleError] = useState<string | null>(null);
  const [roleStatus, setRoleStatus] = useState('');
  /** The id of an element to focus once the page has rendered (after a form or a confirmation closes). */
  const [focusId, setFocusId] = useState<string | null>(null);
  const roleFormHeadingRef = useRef<HTMLHeadingElement>(null);
  const confirmRoleRef = useRef<HTMLButtonElement>(null);

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
  const roleFormOpen = roleForm !== null;
  const roleFormId = roleForm?.id;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the heading takes the focus when the form opens or switches role
  useEffect(() => {
    if (roleFormOpen) roleFormHeadingRef.current?.focus();
  }, [roleFormOpen, roleFormId]);
  useEffect(() => {
    if (confirmingRole) confirmRoleRef.current?.focus();
  }, [confirmingRole]);
  useEffect(() => {
    if (!focusId) return;
    document.getElementById(focusId)?.focus();
    setFocusId(null);
  }, [focusId]);

  /** One result on screen at a time: the users' and the roles' messages clear each other. */
  function clearMessages() {
    setError(null);
    setStatus('');
    setRoleError(null);
    setRoleStatus('');
  }

  const roleNames = (ids: string[]) =>
    ids.length === 0
      ? t('admin.staff.noRoles')
      : ids.map((id) => roles.find((r) => r.id === id)?.name ?? id).join(', ');

  async function change(user: StaffUser, body: Record<string, unknown>, message: string) {
    setBusy(true);
    clearMessages();
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
    clearMessages();
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

  function startRole(role: Role | null) {
    clearMessages();
    setConfirmingRole(null);
    setRoleForm(
      role
        ? { id: role.id, name: role.name, description: role.description, permissions: role.permissions }
        : { id: null, name: '', description: '', permissions: [] },
    );
  }

  function closeRoleForm() {
    const id = roleForm?.id;
    setRoleForm(null);
    setFocusId(id ? `role-edit-${id}` : 'role-add');
  }

  async function saveRole(event: FormEvent) {
    event.preventDefault();
    if (!roleForm || busy) return;
    clearMessages();
    const name = roleForm.name.trim();
    if (!name) {
      setRoleError(t('admin.role.nameNeeded'));
      return;
    }
    const body = { name, description: roleForm.description.trim(), permissions: roleForm.permissions };
    setBusy(true);
    try {
      if (roleForm.id === null) {
        const role = await call<Role>('adminRoleCreate', { body });
        setRoles((list) => [...list, role].sort((a, b) => a.name.localeCompare(b.name)));
        setRoleStatus(t('admin.role.created', { name: role.name }));
        setRoleForm(null);
        setFocusId(`role-edit-${role.id}`);
      } else {
        const role = await call<Role>('adminRoleUpdate', { params: { id: roleForm.id }, body });
        setRoles((list) => list.map((r) => (r.id === role.id ? role : r)));
        setRoleStatus(t('admin.role.saved', { name: role.name }));
        setRoleForm(null);
        setFocusId(`role-edit-${role.id}`);
      }
    } catch (e) {
      setRoleError(errorText(e, t));
    } finally {
      setBusy(false);
    }
  }

  async function deleteRole(role: Role) {
    if (busy) return;
    clearMessages();
    setBusy(true);
    try {
      await call<undefined>('adminRoleDelete', { params: { id: role.id } });
      setRoles((list) => list.filter((r) => r.id !== role.id));
      if (roleForm?.id === role.id) setRoleForm(null);
      setRoleStatus(t('admin.role.deleted', { name: role.name }));
      setConfirmingRole(null);
      setFocusId('role-list-heading');
    } catch (e) {
      setRoleError(t('admin.role.notDeleted', { name: role.name, reason: errorText(e, t) }));
      setConfirmingRole(null);
      setFocusId(`role-delete-${role.id}`);
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
        <h2 id="role-list-heading" tabIndex={-1}>
          {t('admin.staff.roleList')}
        </h2>
        <ErrorMessage text={roleError} />
        <div role="status" className={roleStatus ? 'ok-box' : undefined}>
          {roleStatus}
        </div>
        {manage && (
          <p>
            <button id="role-add" type="button" className="secondary" onClick={() => startRole(null)}>
              {t('admin.role.add')}
            </button>
          </p>
        )}
        <dl className="role-list">
          {roles.map((r) => (
            <div key={r.id}>
              <dt>{r.name}</dt>
              <dd>
                {r.description && <span>{r.description} </span>}
                {r.permissions.length === 0 && <span className="note">{t('admin.role.noPermissions')}</span>}
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
                {manage && (
                  <p className="actions">
                    {confirmingRole === r.id ? (
                      <span className="confirm">
                        <span>{t('admin.role.confirmDelete', { name: r.name })}</span>{' '}
                        <button
                          ref={confirmRoleRef}
                          type="button"
                          className="small danger"
                          disabled={busy}
                          onClick={() => deleteRole(r)}
                        >
                          {t('admin.yesDelete')}
                        </button>{' '}
                        <button
                          type="button"
                          className="small secondary"
                          onClick={() => {
                            setConfirmingRole(null);
                            setFocusId(`role-delete-${r.id}`);
                          }}
                        >
                          {t('admin.cancel')}
                        </button>
                      </span>
                    ) : (
                      <>
                        <button
                          id={`role-edit-${r.id}`}
                          type="button"
                          className="small secondary"
                          aria-label={t('admin.role.editLabel', { name: r.name })}
                          onClick={() => startRole(r)}
                        >
                          {t('admin.edit')}
                        </button>{' '}
                        <button
                          id={`role-delete-${r.id}`}
                          type="button"
                          className="small secondary"
                          aria-label={t('admin.role.deleteLabel', { name: r.name })}
                          onClick={() => {
                            clearMessages();
                            setConfirmingRole(r.id);
                          }}
                        >
                          {t('admin.delete')}
                        </button>
                      </>
                    )}
                  </p>
                )}
              </dd>
            </div>
          ))}
        </dl>
      </section>

      {manage && roleForm && (
        <section aria-labelledby="role-form-heading">
          <h2 id="role-form-heading" ref={roleFormHeadingRef} tabIndex={-1}>
            {roleForm.id === null
              ? t('admin.role.new')
              : t('admin.role.change', { name: roles.find((r) => r.id === roleForm.id)?.name ?? '' })}
          </h2>
          <form className="form-grid" onSubmit={saveRole}>
            <div className="field">
              <label htmlFor="role-name">{t('admin.role.name')}</label>
              <input
                id="role-name"
                autoComplete="off"
                aria-required="true"
                maxLength={100}
                value={roleForm.name}
                onChange={(e) => setRoleForm((f) => (f ? { ...f, name: e.target.value } : f))}
              />
            </div>
            <div className="field">
              <label htmlFor="role-description">{t('admin.role.description')}</label>
              <input
                id="role-description"
                autoComplete="off"
                maxLength={500}
                value={roleForm.description}
                onChange={(e) => setRoleForm((f) => (f ? { ...f, description: e.target.value } : f))}
              />
            </div>
            <fieldset className="checkbox-list">
              <legend>{t('admin.role.permissions')}</legend>
              {permissions.map((p, i) => (
                <div key={p.name} className="checkbox-field">
                  <input
                    id={`role-permission-${i}`}
                    type="checkbox"
                    checked={roleForm.permissions.includes(p.name)}
                    onChange={() =>
                      setRoleForm((f) => (f ? { ...f, permissions: toggle(f.permissions, p.name) } : f))
                    }
                  />
                  <label htmlFor={`role-permission-${i}`}>
                    <code>{p.name}</code> — {p.description}
                  </label>
                </div>
              ))}
            </fieldset>
            <div className="actions">
              <button type="submit" disabled={busy}>
                {roleForm.id === null ? t('admin.role.create') : t('admin.role.save')}
              </button>{' '}
              <button type="button" className="secondary" onClick={closeRoleForm}>
                {t('admin.cancel')}
              </button>
            </div>
          </form>
        </section>
      )}
    </>
  );
}
